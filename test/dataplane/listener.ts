// Emulated ALB data plane: what one listener does with a request — pick the rule (match.ts), then run its
// action: forward (transforms, weighted target groups, stickiness, a healthy target, proxy), redirect or
// fixed-response. Status codes as AWS's "Troubleshoot your Application Load Balancers" page lists them:
// 502 when the target refuses, resets or answers malformed, 503 when the target group has no registered
// target, 504 when the target does not answer within the load balancer's idle timeout, 500 when a
// transform fails; X-Forwarded-For/-Proto/-Port and X-Amzn-Trace-Id as the "HTTP headers and Application
// Load Balancers" page describes (X-Forwarded-For appended to, the default processing mode).

import { randomBytes } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import type { Action, Rule } from "@aws-sdk/client-elastic-load-balancing-v2";
import { pickTarget, pickWeighted, readCookie, stickyToken } from "./balance.ts";
import { routableTargets } from "./health.ts";
import { type CompiledRule, selectRule } from "./match.ts";
import type { AlbRequest, ListenerConfig, LoadBalancerConfig } from "./model.ts";
import { buildRedirect } from "./redirect.ts";
import { isLoopbackTarget, type LiveTarget, type Log, type TargetGroupRuntime } from "./targets.ts";
import { applyTransforms } from "./transform.ts";

/** What a listener needs at request time (replaced whole when the configuration changes). */
export interface ListenerState {
  readonly loadBalancer: LoadBalancerConfig;
  readonly listener: ListenerConfig;
  readonly rules: readonly CompiledRule[];
}

/** Connections to targets are reused, as ALB keeps them open. */
const targetAgent = new http.Agent({ keepAlive: true, maxSockets: 512 });
/** ALB does not verify its targets' certificates. */
const tlsTargetAgent = new https.Agent({ keepAlive: true, maxSockets: 512, rejectUnauthorized: false });

const HOP_BY_HOP = [
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
];

const REASONS: Record<number, string> = {
  400: "Bad Request",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Temporarily Unavailable",
  504: "Gateway Time-out",
};

/** An answer of the load balancer itself, in ALB's style. */
function albError(res: ServerResponse, status: number): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const title = `${status} ${REASONS[status] ?? ""}`.trim();
  const body = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
  res.writeHead(status, {
    server: "awselb/2.0",
    "content-type": "text/html",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

/** Splits a request target into path and query (an absolute-form target keeps only its path). */
export function splitTarget(url: string): { path: string; query: string } {
  let target = url;
  if (!target.startsWith("/")) {
    const m = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/.*)?$/i.exec(target);
    target = m?.[1] ?? "/";
  }
  const q = target.indexOf("?");
  return q < 0 ? { path: target, query: "" } : { path: target.slice(0, q), query: target.slice(q + 1) };
}

function traceId(incoming: string | undefined): string {
  const self = `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString("hex")}`;
  if (incoming && /Root=1-[0-9a-f]{8}-[0-9a-f]{24}/.test(incoming))
    return `Self=${self};${incoming.replace(/Self=[^;]*;?/, "")}`;
  return `Root=${self}`;
}

/** Serves one listener's requests against its current state and the shared target groups. */
export class ListenerHandler {
  state: ListenerState;
  readonly #groups: ReadonlyMap<string, TargetGroupRuntime>;
  readonly #log: Log;
  /** Requests answered, by status code. */
  readonly statusCounts = new Map<number, number>();

  constructor(state: ListenerState, groups: ReadonlyMap<string, TargetGroupRuntime>, log: Log) {
    this.state = state;
    this.#groups = groups;
    this.#log = log;
  }

  /** Handles one request. */
  handle = (req: IncomingMessage, res: ServerResponse): void => {
    res.on("finish", () =>
      this.statusCounts.set(res.statusCode, (this.statusCounts.get(res.statusCode) ?? 0) + 1),
    );
    const { path, query } = splitTarget(req.url ?? "/");
    const headers: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(req.headersDistinct)) if (v) headers[k] = v;
    const request: AlbRequest = {
      method: req.method ?? "GET",
      host: req.headers.host ?? "",
      path,
      query,
      headers,
      sourceIp: req.socket.remoteAddress ?? "",
    };
    const rule = selectRule(this.state.rules, request);
    const action = [...(rule?.Actions ?? [])].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0)).at(-1);
    if (!rule || !action) {
      albError(res, 503);
      return;
    }
    if ((rule.Actions ?? []).some((a) => a.Type?.startsWith("authenticate-"))) {
      this.#log(
        `${this.#name()}: rule ${rule.Priority} has an authenticate action, which the data plane does not emulate: 501`,
      );
      albError(res, 501);
      return;
    }
    switch (action.Type) {
      case "fixed-response": {
        const c = action.FixedResponseConfig;
        const body = c?.MessageBody ?? "";
        res.writeHead(Number(c?.StatusCode ?? 200), {
          server: "awselb/2.0",
          "content-type": c?.ContentType ?? "text/plain; charset=utf-8",
          "content-length": Buffer.byteLength(body),
        });
        res.end(body);
        return;
      }
      case "redirect": {
        const { status, location } = buildRedirect(action.RedirectConfig ?? { StatusCode: "HTTP_302" }, {
          protocol: this.state.listener.protocol,
          host: request.host.replace(/:\d+$/, ""),
          port: this.state.listener.port,
          path,
          query,
        });
        res.writeHead(status, { server: "awselb/2.0", location, "content-length": 0 });
        res.end();
        return;
      }
      case "forward":
        this.#forward(req, res, rule, action, request);
        return;
      default:
        this.#log(`${this.#name()}: action ${action.Type} is not emulated: 501`);
        {
          albError(res, 501);
          return;
        }
    }
  };

  #name(): string {
    return `${this.state.loadBalancer.name}:${this.state.listener.port}`;
  }

  #forward(req: IncomingMessage, res: ServerResponse, rule: Rule, action: Action, request: AlbRequest): void {
    const weighted = action.ForwardConfig?.TargetGroups?.length
      ? action.ForwardConfig.TargetGroups.map((t) => ({ arn: t.TargetGroupArn ?? "", weight: t.Weight ?? 1 }))
      : [{ arn: action.TargetGroupArn ?? "", weight: 1 }];
    const stickyGroups = action.ForwardConfig?.TargetGroupStickinessConfig;
    const cookies: string[] = [];
    let chosen: { arn: string } | undefined;
    if (stickyGroups?.Enabled) {
      const token = readCookie(req.headers.cookie, "AWSALBTG");
      chosen = weighted.find((g) => g.weight > 0 && stickyToken(g.arn) === token);
    }
    chosen ??= pickWeighted(weighted, Math.random());
    if (!chosen) {
      albError(res, 503);
      return;
    }
    if (stickyGroups?.Enabled) {
      const age = stickyGroups.DurationSeconds ?? 3600;
      cookies.push(`AWSALBTG=${stickyToken(chosen.arn)}; Max-Age=${age}; Path=/`);
    }
    const group = this.#groups.get(chosen.arn);
    const registered = group ? [...group.targets.values()] : [];
    if (!group || registered.filter((t) => t.health.state !== "draining").length === 0) {
      albError(res, 503);
      return;
    }
    const candidates = routableTargets(registered);
    const attrs = group.config.attributes;
    const stickyTargets =
      attrs["stickiness.enabled"] === "true" && (attrs["stickiness.type"] ?? "lb_cookie") === "lb_cookie";
    let target: LiveTarget | undefined;
    if (stickyTargets) {
      const token = readCookie(req.headers.cookie, "AWSALB");
      target = candidates.find((t) => stickyToken(`${group.config.arn}|${t.key}`) === token);
    }
    target ??= pickTarget(candidates, {
      algorithm: attrs["load_balancing.algorithm.type"] ?? "round_robin",
      counter: group.counter++,
    });
    if (!target) {
      albError(res, 503);
      return;
    }
    if (stickyTargets)
      cookies.push(
        `AWSALB=${stickyToken(`${group.config.arn}|${target.key}`)}; Max-Age=${attrs["stickiness.lb_cookie.duration_seconds"] ?? "86400"}; Path=/`,
      );
    const transformed = applyTransforms(rule.Transforms, request);
    if (!transformed.ok) {
      this.#log(`${this.#name()}: rule ${rule.Priority}: ${transformed.reason}: 500`);
      albError(res, 500);
      return;
    }
    if (!isLoopbackTarget(target.id)) {
      this.#log(
        `${this.#name()}: target ${target.key} of ${group.config.name} is outside 127.0.0.0/8, refused: 502`,
      );
      albError(res, 502);
      return;
    }
    this.#proxy(req, res, { group, target, cookies, ...transformed.request });
  }

  #proxy(
    req: IncomingMessage,
    res: ServerResponse,
    p: {
      group: TargetGroupRuntime;
      target: LiveTarget;
      cookies: string[];
      host: string;
      path: string;
      query: string;
    },
  ): void {
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined && !HOP_BY_HOP.includes(k)) headers[k] = v;
    const client = req.socket.remoteAddress?.replace(/^::ffff:/, "") ?? "";
    headers.host = p.host;
    headers["x-forwarded-for"] = req.headers["x-forwarded-for"]
      ? `${req.headers["x-forwarded-for"]}, ${client}`
      : client;
    headers["x-forwarded-proto"] = this.state.listener.protocol.toLowerCase();
    headers["x-forwarded-port"] = String(this.state.listener.port);
    headers["x-amzn-trace-id"] = traceId(req.headers["x-amzn-trace-id"] as string | undefined);
    const idleMs = Number(this.state.loadBalancer.attributes["idle_timeout.timeout_seconds"] ?? "60") * 1000;
    const { group, target } = p;
    target.inflight++;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      target.requests.delete(upstream);
      group.finished(target);
    };
    const tls = group.config.protocol === "HTTPS";
    const upstream = (tls ? https : http).request({
      host: target.id,
      port: target.port,
      method: req.method,
      path: p.query === "" ? p.path : `${p.path}?${p.query}`,
      headers,
      agent: tls ? tlsTargetAgent : targetAgent,
    });
    target.requests.add(upstream);
    upstream.setTimeout(idleMs, () => {
      this.#log(`${this.#name()}: target ${target.key} idle for ${idleMs} ms: 504`);
      if (!res.headersSent) albError(res, 504);
      else res.destroy();
      upstream.destroy();
      finish();
    });
    upstream.on("response", (up) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(up.headers))
        if (v !== undefined && !HOP_BY_HOP.includes(k)) out[k] = v;
      if (p.cookies.length > 0) out["set-cookie"] = [...(up.headers["set-cookie"] ?? []), ...p.cookies];
      res.writeHead(up.statusCode ?? 502, out);
      up.pipe(res);
      up.on("error", () => res.destroy());
      up.on("end", finish);
      up.on("close", finish);
    });
    upstream.on("error", (err) => {
      if (done) return;
      this.#log(
        `${this.#name()}: target ${target.key} of ${group.config.name}: ${(err as NodeJS.ErrnoException).code ?? err.message}: 502`,
      );
      albError(res, 502);
      finish();
    });
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
      finish();
    });
    req.pipe(upstream);
  }
}
