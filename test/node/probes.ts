// Testbed node: container probes (readiness, liveness) as the kubelet runs them: httpGet (port by
// number or by container port name; 200-399 succeeds), tcpSocket (a connection succeeds) and exec
// (the command run on the host, exit 0 succeeds), with initialDelaySeconds, periodSeconds,
// timeoutSeconds, successThreshold and failureThreshold.

import { spawn } from "node:child_process";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect } from "node:net";
import type { V1Container, V1Probe } from "@kubernetes/client-node";

/** Where a probe runs. */
export interface ProbeTarget {
  readonly podIp: string;
  readonly container: V1Container;
  readonly env: NodeJS.ProcessEnv;
}

/** The port a probe names: a number, or the name of one of the container's ports. */
export function resolvePort(port: number | string | undefined, container: V1Container): number | undefined {
  if (typeof port === "number") return port;
  if (port === undefined) return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

/** Runs a probe once; true when it succeeds. */
export async function probeOnce(probe: V1Probe, target: ProbeTarget): Promise<boolean> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) {
    const port = resolvePort(probe.httpGet.port, target.container);
    if (port === undefined) return false;
    const host = probe.httpGet.host || target.podIp;
    const headers = Object.fromEntries((probe.httpGet.httpHeaders ?? []).map((h) => [h.name, h.value]));
    const https = probe.httpGet.scheme === "HTTPS";
    return new Promise((resolve) => {
      const req = (https ? httpsRequest : httpRequest)(
        {
          host,
          port,
          path: probe.httpGet?.path || "/",
          headers: { "user-agent": "kube-probe/1.35", ...headers },
          timeout: timeoutMs,
          ...(https ? { rejectUnauthorized: false } : {}),
        },
        (res) => {
          res.resume();
          const code = res.statusCode ?? 0;
          resolve(code >= 200 && code < 400);
        },
      );
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", () => resolve(false));
      req.end();
    });
  }
  if (probe.tcpSocket) {
    const port = resolvePort(probe.tcpSocket.port, target.container);
    if (port === undefined) return false;
    return new Promise((resolve) => {
      const socket = connect({ host: probe.tcpSocket?.host || target.podIp, port, timeout: timeoutMs });
      socket.on("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("timeout", () => {
        socket.destroy();
        resolve(false);
      });
      socket.on("error", () => resolve(false));
    });
  }
  const command = probe.exec?.command;
  if (command?.[0]) {
    return new Promise((resolve) => {
      const child = spawn(command[0] ?? "", command.slice(1), { env: target.env, stdio: "ignore" });
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      child.on("error", () => resolve(false));
      child.on("exit", (code) => {
        clearTimeout(timer);
        resolve(code === 0);
      });
    });
  }
  return false;
}

/** A probe run periodically; reports when its verdict (after the thresholds) changes. */
export class Prober {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private successes = 0;
  private failures = 0;
  /** The verdict so far: undefined before the thresholds were met once. */
  verdict: boolean | undefined;

  private readonly probe: V1Probe;
  private readonly target: ProbeTarget;
  private readonly onVerdict: (ok: boolean) => void;

  constructor(probe: V1Probe, target: ProbeTarget, onVerdict: (ok: boolean) => void) {
    this.probe = probe;
    this.target = target;
    this.onVerdict = onVerdict;
  }

  /** Starts probing after initialDelaySeconds. */
  start(): void {
    this.schedule((this.probe.initialDelaySeconds ?? 0) * 1000);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    const ok = await probeOnce(this.probe, this.target);
    if (this.stopped) return;
    if (ok) {
      this.failures = 0;
      this.successes++;
      if (this.successes >= (this.probe.successThreshold ?? 1) && this.verdict !== true) this.set(true);
    } else {
      this.successes = 0;
      this.failures++;
      if (this.failures >= (this.probe.failureThreshold ?? 3) && this.verdict !== false) this.set(false);
    }
    this.schedule((this.probe.periodSeconds ?? 10) * 1000);
  }

  private set(ok: boolean): void {
    this.verdict = ok;
    this.onVerdict(ok);
  }
}
