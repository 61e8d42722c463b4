// Test support: a fault-injecting HTTP proxy in front of the testbed's real kube-apiserver, for the
// faults the API server cannot be asked to make: every open watch cut at once, an outage (connections
// refused, as while the API server restarts), and a status patch answered 409 Conflict. Everything
// else is forwarded unchanged to the real server (TLS to it, plain HTTP from the client on loopback).
//
// Why not restart a real API server: the testbed's start script starts etcd empty every time, so a
// restart would lose every object; what a restart does to a client (its watches end, its connections
// are refused for a while, then it must relist or resume) is what the proxy reproduces.

import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { request as httpsRequest } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";

/** What the proxy did, for assertions and figures. */
export interface ProxyFigures {
  requests: number;
  watchesCut: number;
  conflicts: number;
  outages: number;
}

/** A proxy to the API server of `kubeconfigPath`; `kubeconfig` is a kubeconfig file pointing at it. */
export class FaultyKubeProxy {
  readonly figures: ProxyFigures = { requests: 0, watchesCut: 0, conflicts: 0, outages: 0 };
  kubeconfig = "";
  private readonly target: URL;
  private readonly ca: Buffer | undefined;
  private readonly token: string;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly watches = new Set<ServerResponse>();
  private port = 0;
  private statusConflicts = 0;

  constructor(kubeconfigPath: string) {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    const cluster = kc.getCurrentCluster();
    this.target = new URL(cluster?.server ?? "");
    this.ca = cluster?.caFile
      ? readFileSync(cluster.caFile)
      : cluster?.caData
        ? Buffer.from(cluster.caData, "base64")
        : undefined;
    this.token = kc.getCurrentUser()?.token ?? "";
    this.server = createServer((req, res) => this.forward(req, res));
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
  }

  /** Listens on a free loopback port and writes the kubeconfig that points at it. */
  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    this.kubeconfig = join(tmpdir(), `gannet-faulty-proxy-${this.port}.kubeconfig`);
    writeFileSync(
      this.kubeconfig,
      [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        // client-node refuses plain HTTP unless TLS checks are off; it is loopback, to a proxy that checks the real CA.
        `- name: proxy\n  cluster:\n    server: http://127.0.0.1:${this.port}\n    insecure-skip-tls-verify: true`,
        "users:",
        `- name: admin\n  user:\n    token: ${this.token}`,
        "contexts:",
        "- name: proxy\n  context: {cluster: proxy, user: admin}",
        "current-context: proxy",
        "",
      ].join("\n"),
    );
  }

  /** Answers the next `n` PATCHes of a status subresource with 409 Conflict. */
  conflictNextStatusPatches(n: number): void {
    this.statusConflicts = n;
  }

  /** Ends every open watch at once, as a restarting API server (or a load balancer) does. */
  cutWatches(): number {
    const n = this.watches.size;
    for (const res of this.watches) res.socket?.destroy();
    this.watches.clear();
    this.figures.watchesCut += n;
    return n;
  }

  /** Stops listening and drops every connection: clients get refused connections until `resume`. */
  async outage(): Promise<void> {
    this.figures.outages += 1;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.figures.watchesCut += this.watches.size;
    this.watches.clear();
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  /** Listens again on the same port. */
  async resume(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(this.port, "127.0.0.1", resolve));
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    this.figures.requests += 1;
    const path = req.url ?? "/";
    if (req.method === "PATCH" && /\/status(\?|$)/.test(path) && this.statusConflicts > 0) {
      this.statusConflicts -= 1;
      this.figures.conflicts += 1;
      req.resume();
      res.writeHead(409, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          kind: "Status",
          apiVersion: "v1",
          status: "Failure",
          reason: "Conflict",
          code: 409,
          message:
            "Operation cannot be fulfilled: the object has been modified; please apply your changes to the latest version and try again (injected)",
        }),
      );
      return;
    }
    const upstream = httpsRequest(
      {
        host: this.target.hostname,
        port: this.target.port,
        path,
        method: req.method,
        headers: { ...req.headers, host: this.target.host },
        ...(this.ca ? { ca: this.ca } : {}),
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    if (/[?&]watch=(true|1)/.test(path)) {
      this.watches.add(res);
      res.on("close", () => {
        this.watches.delete(res);
        upstream.destroy();
      });
    }
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  }
}
