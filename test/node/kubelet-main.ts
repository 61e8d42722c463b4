// Entry point of the testbed's nodes: a small kubelet of the project's own (test/node/README.md).
// Started in the background by test/apiserver/start.sh, stopped by test/apiserver/stop.sh.
//
//   node test/node/kubelet-main.ts --kubeconfig <file> --state-dir <dir> --echo-basic <binary>
//     [--nodes 1] [--zones us-east-1a,us-east-1b,us-east-1c] [--port 10250]
//
// Serves GET http://127.0.0.1:<port>/healthz: 200 with the nodes' names once they are registered.

import { createServer } from "node:http";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadKubeConfig } from "../../src/kube/kube-port.ts";
import { ImageCatalog } from "./images.ts";
import { TestbedNode } from "./node.ts";

const { values } = parseArgs({
  options: {
    kubeconfig: { type: "string" },
    "state-dir": { type: "string" },
    "echo-basic": { type: "string" },
    nodes: { type: "string", default: "1" },
    zones: {
      type: "string",
      default: ["a", "b", "c"].map((z) => `${process.env.AWS_REGION ?? "us-east-1"}${z}`).join(","),
    },
    port: { type: "string", default: "10250" },
    // The hash of this code, on the command line so that start.sh restarts the nodes when it changed.
    code: { type: "string" },
  },
});
const missing = ["kubeconfig", "state-dir", "echo-basic"].filter((k) => !values[k as keyof typeof values]);
const count = Number(values.nodes);
if (missing.length > 0 || !Number.isInteger(count) || count < 1 || count > 254) {
  console.error(
    `testbed-node: need ${missing.map((m) => `--${m}`).join(", ") || "--nodes between 1 and 254"}`,
  );
  process.exit(2);
}
const log = (message: string) => console.log(`${new Date().toISOString()} ${message}`);
const config = loadKubeConfig(values.kubeconfig);
const images = new ImageCatalog({ echoBasic: values["echo-basic"] ?? "", node: process.execPath });
const zones = (values.zones ?? "").split(",");
const nodes = Array.from({ length: count }, (_, i) => {
  const index = i + 1;
  return new TestbedNode({
    config,
    index,
    zone: zones[i % zones.length] ?? "",
    images,
    stateDir: join(values["state-dir"] ?? "", `node-${index}`),
    log: (m) => log(`node-${index}: ${m}`),
  });
});

let ready = false;
const health = createServer((_req, res) => {
  res
    .writeHead(ready ? 200 : 503, { "content-type": "application/json" })
    .end(JSON.stringify({ ready, nodes: nodes.map((n) => n.name) }));
});
health.listen(Number(values.port), "127.0.0.1");

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping the Pods' processes`);
  await Promise.all(nodes.map((n) => n.stop()));
  health.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

try {
  await Promise.all(nodes.map((n) => n.start()));
  ready = true;
  log(`ready: ${nodes.map((n) => n.name).join(", ")}`);
} catch (err) {
  log(`could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
