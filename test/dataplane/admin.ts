// Emulated ALB data plane: the admin endpoint (JSON on 127.0.0.1) and the `dataplane:` lines made from it.

import http, { type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One listener as the admin endpoint's JSON lists it (the fields the lines need). */
export interface AdminListener {
  readonly dnsName: string;
  readonly port: number;
  readonly url: string;
}

/** `dataplane: <ALB DNS name>:<listener port> -> <local URL>`, one line per listener, from the admin JSON. */
export function formatDataplaneLines(status: { readonly listeners: readonly AdminListener[] }): string[] {
  return [...status.listeners]
    .sort((a, b) => a.dnsName.localeCompare(b.dnsName) || a.port - b.port)
    .map((l) => `dataplane: ${l.dnsName}:${l.port} -> ${l.url}`);
}

/**
 * Serves `GET /` (and `/status`) with `status()` as JSON and `GET /healthz`, on 127.0.0.1:port.
 * `/status?follow=<ALB DNS name>` also marks that ALB in use (re-read every poll for the hot window).
 */
export function startAdmin(
  port: number,
  status: () => unknown,
  follow: (dnsName: string) => void = () => undefined,
): Promise<Server> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://admin");
    const followed = url.searchParams.get("follow");
    if (followed) follow(followed);
    req.url = url.pathname;
    if (req.url === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok\n");
      return;
    }
    if (req.url === "/" || req.url === "/status") {
      const body = `${JSON.stringify(status(), null, 2)}\n`;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(body);
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found: try / or /healthz\n");
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

/** The port an admin server listens on. */
export function adminPort(server: Server): number {
  return (server.address() as AddressInfo).port;
}
