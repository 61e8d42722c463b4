// Emulated ALB data plane, test support: small HTTP servers on loopback that stand for targets. Each
// answers with its name and the request it saw (JSON); its health path can be switched to fail, and a
// path can be made slow.

import http, { type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** What a backend saw, as it answers. */
export interface EchoAnswer {
  readonly name: string;
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

/** A running backend. */
export interface EchoBackend {
  readonly name: string;
  readonly ip: string;
  readonly port: number;
  /** Health checks (GET /healthz) answer 500 while false. */
  healthy: boolean;
  /** Requests whose path has /slow wait this long (ms) before answering; /stream trickles its body as long. */
  slowMs: number;
  /** Requests served, health checks excluded. */
  served: number;
  close(): Promise<void>;
}

/** Starts a backend on `ip` (a free port). */
export async function startEchoBackend(name: string, ip: string): Promise<EchoBackend> {
  const backend: EchoBackend = {
    name,
    ip,
    port: 0,
    healthy: true,
    slowMs: 0,
    served: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server: Server = http.createServer((req, res) => {
    if (req.url === "/healthz") {
      res.writeHead(backend.healthy ? 200 : 500).end(backend.healthy ? "ok" : "failing");
      return;
    }
    backend.served++;
    const answer = () => {
      const body: EchoAnswer = { name, method: req.method ?? "", url: req.url ?? "", headers: req.headers };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    req.resume();
    if (req.url?.includes("/stream")) {
      // A body trickling for slowMs: never idle for long, so only draining can cut it.
      res.writeHead(200, { "content-type": "text/plain" });
      const tick = setInterval(() => res.write("."), 200);
      setTimeout(() => {
        clearInterval(tick);
        res.end(`done ${name}`);
      }, backend.slowMs);
    } else if (req.url?.includes("/slow")) setTimeout(answer, backend.slowMs);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, ip, resolve));
  (backend as { port: number }).port = (server.address() as AddressInfo).port;
  return backend;
}
