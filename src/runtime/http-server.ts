// Runtime: the controller's HTTP endpoints: /metrics (Prometheus), /healthz (liveness) and
// /readyz (readiness: the informer caches are filled).

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** What the endpoints answer from. */
export interface HttpEndpoints {
  metrics(): Promise<string>;
  readonly metricsContentType: string;
  /** Liveness: false once the process cannot recover by itself (a restart would help). */
  healthy(): { ok: boolean; detail: string };
  /** Readiness: caches filled, not shutting down. */
  ready(): { ok: boolean; detail: string };
}

/** A running server and how to stop it. */
export interface RunningHttpServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Parses `host:port` (`:8080` binds every interface). */
export function parseBindAddress(address: string): { host: string | undefined; port: number } {
  const i = address.lastIndexOf(":");
  const host = address.slice(0, i);
  return { host: host === "" ? undefined : host, port: Number(address.slice(i + 1)) };
}

/** Starts the server; resolves once it listens. */
export async function startHttpServer(address: string, endpoints: HttpEndpoints): Promise<RunningHttpServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const probe = (r: { ok: boolean; detail: string }) => {
      res.writeHead(r.ok ? 200 : 503, { "content-type": "text/plain" });
      res.end(`${r.detail}\n`);
    };
    if (path === "/metrics") {
      endpoints.metrics().then(
        (text) => {
          res.writeHead(200, { "content-type": endpoints.metricsContentType });
          res.end(text);
        },
        (err: unknown) => {
          res.writeHead(500, { "content-type": "text/plain" });
          res.end(`metrics failed: ${err instanceof Error ? err.message : String(err)}\n`);
        },
      );
    } else if (path === "/healthz") probe(endpoints.healthy());
    else if (path === "/readyz") probe(endpoints.ready());
    else {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found: try /metrics, /healthz or /readyz\n");
    }
  });
  const { host, port } = parseBindAddress(address);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const shownHost = bound.family === "IPv6" ? `[${bound.address}]` : bound.address;
  return {
    url: `http://${shownHost}:${bound.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
