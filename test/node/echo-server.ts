// The testbed's own echo server (image ghcr.io/gannet-io/testbed-echo, which exists on the testbed
// only): answers every request with JSON naming its Pod and the request it saw, with knobs for
// rollout tests. Listens on $GANNET_TESTBED_POD_IP (set by the testbed node) and the given port.
//
//   echo-server.ts [--port 8080] [--message text] [--delay-ms N] [--ready-after-ms N] [--not-ready]
//                  [--shutdown-delay-ms N] [--exit-after-ms N [--exit-code N]]
//
// GET /readyz answers 200 once ready (after --ready-after-ms; never with --not-ready; 503 once a
// SIGTERM arrived), /healthz 200; anything else the echo. On SIGTERM it keeps serving for
// --shutdown-delay-ms, then closes. POD_NAME and POD_NAMESPACE come from the downward API.

import { createServer } from "node:http";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: process.env.PORT ?? "8080" },
    message: { type: "string", default: process.env.MESSAGE ?? "" },
    "delay-ms": { type: "string", default: "0" },
    "ready-after-ms": { type: "string", default: "0" },
    "not-ready": { type: "boolean", default: false },
    "shutdown-delay-ms": { type: "string", default: "0" },
    "exit-after-ms": { type: "string" },
    "exit-code": { type: "string", default: "1" },
  },
});
const host = process.env.GANNET_TESTBED_POD_IP ?? "127.0.0.1";
const port = Number(values.port);
const started = Date.now();
let stopping = false;

const pod = {
  name: process.env.POD_NAME ?? "",
  namespace: process.env.POD_NAMESPACE ?? "",
  ip: host,
};

function isReady(): boolean {
  return !stopping && !values["not-ready"] && Date.now() - started >= Number(values["ready-after-ms"]);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://echo");
  const reply = () => {
    if (url.pathname === "/readyz") {
      res
        .writeHead(isReady() ? 200 : 503, { "content-type": "text/plain" })
        .end(isReady() ? "ok" : "not ready");
      return;
    }
    if (url.pathname === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      return;
    }
    const body = {
      pod,
      message: values.message,
      request: {
        method: req.method,
        host: req.headers.host ?? "",
        path: url.pathname,
        query: url.search,
        headers: req.headers,
      },
    };
    res.writeHead(200, { "content-type": "application/json" }).end(`${JSON.stringify(body)}\n`);
  };
  const delay = Number(values["delay-ms"]);
  if (delay > 0) setTimeout(reply, delay);
  else reply();
});

server.listen(port, host, () => {
  console.log(`testbed-echo: ${pod.namespace}/${pod.name} listening on ${host}:${port}`);
});

process.on("SIGTERM", () => {
  stopping = true;
  console.log(`testbed-echo: SIGTERM, serving ${values["shutdown-delay-ms"]} ms more`);
  setTimeout(() => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  }, Number(values["shutdown-delay-ms"]));
});

if (values["exit-after-ms"] !== undefined) {
  setTimeout(() => {
    console.log(`testbed-echo: exiting with code ${values["exit-code"]} as asked`);
    process.exit(Number(values["exit-code"]));
  }, Number(values["exit-after-ms"]));
}
