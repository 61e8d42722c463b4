// Test fixture entry point: runs the EKS-style webhook token authenticator (eks-auth-webhook.ts) for
// the testbed's kube-apiserver. Started in the background by test/apiserver/start.sh, stopped by stop.sh.
//
//   node test/support/eks-auth-webhook-main.ts --port 18443 --cluster gannet-testbed \
//     --sts-endpoint http://127.0.0.1:4566 --kube-server https://127.0.0.1:6443 \
//     --kube-ca <ca.crt> --kube-token-file <admin token file>

import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { createEksAuthWebhook } from "./eks-auth-webhook.ts";

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    cluster: { type: "string" },
    "sts-endpoint": { type: "string" },
    "kube-server": { type: "string" },
    "kube-ca": { type: "string" },
    "kube-token-file": { type: "string" },
  },
});
const missing = ["port", "cluster", "sts-endpoint", "kube-server", "kube-ca", "kube-token-file"].filter(
  (k) => !values[k as keyof typeof values],
);
if (missing.length > 0) {
  console.error(`eks-auth-webhook: missing ${missing.map((m) => `--${m}`).join(", ")}`);
  process.exit(2);
}
const port = Number(values.port);
const server = createEksAuthWebhook({
  clusterName: values.cluster ?? "",
  stsEndpoint: values["sts-endpoint"] ?? "",
  kube: {
    server: values["kube-server"] ?? "",
    ca: readFileSync(values["kube-ca"] ?? ""),
    token: readFileSync(values["kube-token-file"] ?? "", "utf8").trim(),
  },
});
server.on("error", (err) => {
  console.error(`eks-auth-webhook: ${err.message}`);
  process.exit(1);
});
server.listen(port, "127.0.0.1", () => {
  console.log(`eks-auth-webhook: listening on http://127.0.0.1:${port} for cluster ${values.cluster}`);
});
for (const signal of ["SIGTERM", "SIGINT"] as const)
  process.once(signal, () => server.close(() => process.exit(0)));
