// Emulated ALB data plane: the live side of target groups — health checks on each registered target,
// draining after deregistration, requests in flight. Health rules are the pure ones of health.ts.
// The data plane never connects outside 127.0.0.0/8: a target elsewhere is never checked (it stays
// unhealthy, reason Dataplane.NotLoopback) and a request sent to it is answered 502.

import type { ClientRequest } from "node:http";
import http from "node:http";
import https from "node:https";
import { isIPv4 } from "node:net";
import { type HealthStatus, INITIAL_HEALTH, nextHealth, parseMatcher } from "./health.ts";
import type { TargetGroupConfig, TargetRef } from "./model.ts";

/** Is an address one the data plane may connect to (IPv4 loopback, 127.0.0.0/8). */
export function isLoopbackTarget(ip: string): boolean {
  return isIPv4(ip) && ip.startsWith("127.");
}

/** A registered (or draining) target and what is under way with it. */
export interface LiveTarget extends TargetRef {
  readonly key: string;
  health: HealthStatus;
  inflight: number;
  /** Requests to the target now, aborted when draining ends. */
  readonly requests: Set<ClientRequest>;
  drainUntil?: number;
  timer?: NodeJS.Timeout;
}

/** Logs one line. */
export type Log = (line: string) => void;

/** One target group's targets, kept in step with its configuration. */
export class TargetGroupRuntime {
  config: TargetGroupConfig;
  readonly targets = new Map<string, LiveTarget>();
  /** Round-robin counter. */
  counter = 0;
  readonly #timeScale: number;
  readonly #log: Log;

  constructor(config: TargetGroupConfig, options: { timeScale: number; log: Log }) {
    this.config = config;
    this.#timeScale = options.timeScale;
    this.#log = options.log;
    this.update(config);
  }

  /** Applies a newly read configuration: new targets start `initial`, missing ones start draining. */
  update(config: TargetGroupConfig): void {
    this.config = config;
    const now = Date.now();
    const wanted = new Set(config.targets.map((t) => `${t.id}:${t.port}`));
    for (const t of config.targets) {
      const key = `${t.id}:${t.port}`;
      const live = this.targets.get(key);
      if (live && live.health.state !== "draining") continue;
      if (live) this.#remove(live);
      this.#add({ ...t, key });
    }
    for (const live of this.targets.values()) {
      if (wanted.has(live.key) || live.health.state === "draining") continue;
      const delay = Number(config.attributes["deregistration_delay.timeout_seconds"] ?? "300");
      live.health = {
        state: "draining",
        reason: "Target.DeregistrationInProgress",
        successes: 0,
        failures: 0,
      };
      live.drainUntil = now + delay * 1000;
      clearTimeout(live.timer);
      this.#log(`target ${live.key} of ${config.name} draining for ${delay}s (${live.inflight} in flight)`);
      this.#drainCheck(live);
    }
  }

  #add(t: TargetRef & { key: string }): void {
    const live: LiveTarget = { ...t, health: INITIAL_HEALTH, inflight: 0, requests: new Set() };
    this.targets.set(t.key, live);
    if (this.config.targetType !== "ip") {
      live.health = {
        state: "unhealthy",
        reason: "Dataplane.UnsupportedTargetType",
        successes: 0,
        failures: 0,
      };
    } else if (!isLoopbackTarget(t.id)) {
      live.health = { state: "unhealthy", reason: "Dataplane.NotLoopback", successes: 0, failures: 0 };
    } else if (!this.config.healthCheck.enabled) {
      live.health = { state: "unavailable", reason: "Target.HealthCheckDisabled", successes: 0, failures: 0 };
    } else {
      this.#schedule(live, 0);
    }
  }

  #remove(live: LiveTarget): void {
    clearTimeout(live.timer);
    for (const r of live.requests) r.destroy(new Error("target deregistered"));
    this.targets.delete(live.key);
  }

  /** Ends draining once nothing is in flight, or when the delay is over (requests still open are cut). */
  #drainCheck(live: LiveTarget): void {
    if (live.health.state !== "draining" || this.targets.get(live.key) !== live) return;
    const left = (live.drainUntil ?? 0) - Date.now();
    if (live.inflight === 0 || left <= 0) {
      if (live.inflight > 0)
        this.#log(
          `target ${live.key} of ${this.config.name}: deregistration delay over, cutting ${live.inflight} request(s)`,
        );
      this.#remove(live);
      return;
    }
    live.timer = setTimeout(() => this.#drainCheck(live), Math.min(left, 200));
    live.timer.unref();
  }

  /** Called when a request to a target ends. */
  finished(live: LiveTarget): void {
    live.inflight--;
    if (live.health.state === "draining" && live.inflight === 0) this.#drainCheck(live);
  }

  #schedule(live: LiveTarget, delayMs: number): void {
    live.timer = setTimeout(() => void this.#check(live), delayMs);
    live.timer.unref();
  }

  async #check(live: LiveTarget): Promise<void> {
    if (this.targets.get(live.key) !== live || live.health.state === "draining") return;
    const hc = this.config.healthCheck;
    const result = await probe({
      ip: live.id,
      port: hc.port === "traffic-port" ? live.port : Number(hc.port),
      protocol: hc.protocol,
      path: hc.path,
      timeoutMs: hc.timeoutSeconds * 1000 * this.#timeScale,
      matches: parseMatcher(hc.httpCode),
    });
    if (this.targets.get(live.key) !== live || (live.health.state as string) === "draining") return;
    const before = live.health.state;
    live.health = nextHealth(live.health, result, {
      healthy: hc.healthyThreshold,
      unhealthy: hc.unhealthyThreshold,
    });
    if (live.health.state !== before)
      this.#log(
        `target ${live.key} of ${this.config.name}: ${before} -> ${live.health.state}${live.health.reason ? ` (${live.health.reason})` : ""}`,
      );
    this.#schedule(live, hc.intervalSeconds * 1000 * this.#timeScale);
  }

  /** Stops every health check and cuts every request (the group is no longer served). */
  close(): void {
    for (const live of [...this.targets.values()]) this.#remove(live);
  }
}

/** One health check: GET the path, pass when the status matches, fail on error, timeout or mismatch. */
export function probe(p: {
  ip: string;
  port: number;
  protocol: string;
  path: string;
  timeoutMs: number;
  matches: (status: number) => boolean;
}): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (!isLoopbackTarget(p.ip)) return Promise.resolve({ ok: false, reason: "Dataplane.NotLoopback" });
  return new Promise((resolve) => {
    const mod = p.protocol === "HTTPS" ? https : http;
    const req = mod.request(
      {
        host: p.ip,
        port: p.port,
        path: p.path,
        method: "GET",
        agent: false,
        rejectUnauthorized: false,
        headers: { host: `${p.ip}:${p.port}`, "user-agent": "ELB-HealthChecker/2.0", connection: "close" },
      },
      (res) => {
        res.resume();
        resolve(
          p.matches(res.statusCode ?? 0)
            ? { ok: true }
            : { ok: false, reason: "Target.ResponseCodeMismatch" },
        );
        req.destroy();
      },
    );
    req.setTimeout(p.timeoutMs, () => {
      resolve({ ok: false, reason: "Target.Timeout" });
      req.destroy();
    });
    req.on("error", () => resolve({ ok: false, reason: "Target.FailedHealthChecks" }));
    req.end();
  });
}
