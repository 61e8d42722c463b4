// Testbed node: one container of a Pod as a local process (in its own process group): started with
// its Pod's environment, probed, restarted with the kubelet's back-off (10 s doubling to 5 min) when
// the restart policy says so, and stopped as the kubelet does (preStop, SIGTERM, grace, SIGKILL).

import { type ChildProcess, spawn } from "node:child_process";
import { openSync } from "node:fs";
import type { V1Container, V1LifecycleHandler } from "@kubernetes/client-node";
import type { Program } from "./images.ts";
import { Prober, probeOnce } from "./probes.ts";

/** A container state as the Pod status reports it (plain JSON). */
export type ContainerState =
  | { waiting: { reason: string; message?: string } }
  | { running: { startedAt: string } }
  | {
      terminated: {
        exitCode: number;
        signal?: number;
        reason: string;
        startedAt?: string;
        finishedAt: string;
      };
    };

/** How a container runs. */
export interface ContainerOptions {
  readonly spec: V1Container;
  readonly image: string;
  readonly program: Program;
  readonly env: NodeJS.ProcessEnv;
  readonly podIp: string;
  readonly cwd: string;
  readonly logFile: string;
  /** Always, OnFailure or Never. */
  readonly restartPolicy: string;
  /** The Pod's terminationGracePeriodSeconds (liveness kills use it). */
  readonly gracePeriodSeconds: number;
  /** Records a process the node started (so a later node run can clean it up). */
  readonly track: (pid: number, command: string) => void;
  readonly untrack: (pid: number) => void;
  /** Called whenever the status to report changed. */
  readonly onChange: () => void;
}

const SIGNALS: Record<string, number> = { SIGTERM: 15, SIGKILL: 9, SIGINT: 2 };
const BACKOFF_START_MS = 10_000;
const BACKOFF_MAX_MS = 300_000;
/** A container that ran this long resets its back-off (as the kubelet does after 10 min). */
const BACKOFF_RESET_MS = 600_000;

/** One container of a Pod, as a process. */
export class ContainerRunner {
  private proc: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private restartTimer: NodeJS.Timeout | undefined;
  private readiness: Prober | undefined;
  private liveness: Prober | undefined;
  private stopping = false;
  private backoffMs = BACKOFF_START_MS;
  private startedAt = 0;
  state: ContainerState = { waiting: { reason: "ContainerCreating" } };
  lastState: ContainerState | undefined;
  restartCount = 0;
  ready = false;
  containerId = "";

  private readonly o: ContainerOptions;

  constructor(o: ContainerOptions) {
    this.o = o;
  }

  get name(): string {
    return this.o.spec.name;
  }

  /** True once the process ended and will not be restarted. */
  get done(): boolean {
    return "terminated" in this.state && this.restartTimer === undefined && this.proc === undefined;
  }

  /** The container's entry of the Pod's containerStatuses. */
  status(): Record<string, unknown> {
    return {
      name: this.o.spec.name,
      image: this.o.image,
      imageID: `gannet-testbed://${this.o.image}`,
      ...(this.containerId ? { containerID: this.containerId } : {}),
      ready: this.ready,
      started: "running" in this.state,
      restartCount: this.restartCount,
      state: this.state,
      ...(this.lastState ? { lastState: this.lastState } : {}),
    };
  }

  /** Starts the process (and its probes). */
  start(): void {
    if (this.stopping) return;
    this.restartTimer = undefined;
    const out = openSync(this.o.logFile, "a");
    const proc = spawn(this.o.program.command, [...this.o.program.args], {
      cwd: this.o.cwd,
      env: this.o.env,
      detached: true,
      stdio: ["ignore", out, out],
    });
    this.proc = proc;
    this.startedAt = Date.now();
    const startedAt = new Date(this.startedAt).toISOString();
    this.exited = new Promise((resolve) => {
      proc.on("error", (err) => {
        this.onExit(proc, 128, null, `${err.message}`);
        resolve();
      });
      proc.on("exit", (code, signal) => {
        this.onExit(proc, code ?? 128 + (SIGNALS[signal ?? ""] ?? 0), signal, undefined);
        resolve();
      });
    });
    if (proc.pid !== undefined) {
      this.o.track(proc.pid, this.o.program.command);
      this.containerId = `gannet-testbed://${proc.pid}`;
    }
    this.state = { running: { startedAt } };
    this.ready = !this.o.spec.readinessProbe;
    this.startProbes();
    this.o.onChange();
  }

  private startProbes(): void {
    const target = { podIp: this.o.podIp, container: this.o.spec, env: this.o.env };
    if (this.o.spec.readinessProbe) {
      this.readiness = new Prober(this.o.spec.readinessProbe, target, (ok) => {
        this.ready = ok && "running" in this.state;
        this.o.onChange();
      });
      this.readiness.start();
    }
    if (this.o.spec.livenessProbe) {
      this.liveness = new Prober(this.o.spec.livenessProbe, target, (ok) => {
        if (!ok && !this.stopping) void this.kill(Date.now() + this.o.gracePeriodSeconds * 1000);
      });
      this.liveness.start();
    }
  }

  private stopProbes(): void {
    this.readiness?.stop();
    this.liveness?.stop();
    this.readiness = undefined;
    this.liveness = undefined;
  }

  private onExit(
    proc: ChildProcess,
    exitCode: number,
    signal: NodeJS.Signals | null,
    message?: string,
  ): void {
    if (this.proc !== proc) return;
    this.proc = undefined;
    if (proc.pid !== undefined) this.o.untrack(proc.pid);
    this.stopProbes();
    this.ready = false;
    this.state = {
      terminated: {
        exitCode,
        ...(signal ? { signal: SIGNALS[signal] ?? 0 } : {}),
        reason: message ? "StartError" : exitCode === 0 ? "Completed" : "Error",
        startedAt: new Date(this.startedAt).toISOString(),
        finishedAt: new Date().toISOString(),
        ...(message ? { message } : {}),
      },
    };
    const policy = this.o.restartPolicy;
    const restart = !this.stopping && (policy === "Always" || (policy === "OnFailure" && exitCode !== 0));
    if (restart) {
      if (Date.now() - this.startedAt >= BACKOFF_RESET_MS) this.backoffMs = BACKOFF_START_MS;
      const wait = this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, BACKOFF_MAX_MS);
      this.lastState = this.state;
      this.state = {
        waiting: {
          reason: "CrashLoopBackOff",
          message: `back-off ${wait / 1000}s restarting failed container=${this.name}`,
        },
      };
      this.restartTimer = setTimeout(() => {
        this.restartCount++;
        this.start();
      }, wait);
    }
    this.o.onChange();
  }

  /** Stops for good: preStop (unless skipped), SIGTERM, SIGKILL at the deadline. */
  async stop(deadline: number, runPreStop = true): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) {
      clearTimeout(this.restartTimer);
      this.restartTimer = undefined;
      this.o.onChange();
    }
    if (!this.proc) return;
    const preStop = this.o.spec.lifecycle?.preStop;
    if (runPreStop && preStop) await this.runHandler(preStop, deadline);
    // The kubelet gives SIGTERM at least 2 s more when preStop used up the grace period.
    await this.kill(Math.max(deadline, Date.now() + 2000));
  }

  /** SIGTERM to the process group, SIGKILL at the deadline; resolves once the process exited. */
  private async kill(deadline: number): Promise<void> {
    const proc = this.proc;
    if (!proc?.pid) return;
    signalGroup(proc.pid, "SIGTERM");
    const timer = setTimeout(() => signalGroup(proc.pid ?? 0, "SIGKILL"), Math.max(0, deadline - Date.now()));
    await this.exited;
    clearTimeout(timer);
    // What it started in its group goes with it.
    signalGroup(proc.pid, "SIGKILL");
  }

  private async runHandler(handler: V1LifecycleHandler, deadline: number): Promise<void> {
    const left = Math.max(0, deadline - Date.now());
    const sleepSeconds = handler.sleep?.seconds ?? sleepOf(handler.exec?.command);
    if (sleepSeconds !== undefined) {
      await new Promise((r) => setTimeout(r, Math.min(left, sleepSeconds * 1000)));
      return;
    }
    const target = { podIp: this.o.podIp, container: this.o.spec, env: this.o.env };
    const probe = handler.httpGet
      ? { httpGet: handler.httpGet }
      : handler.exec
        ? { exec: handler.exec }
        : undefined;
    if (probe) await probeOnce({ ...probe, timeoutSeconds: Math.max(1, Math.ceil(left / 1000)) }, target);
  }
}

/** N from `sleep N` (also through `sh -c`), the preStop hook of most manifests. */
function sleepOf(command: readonly string[] | undefined): number | undefined {
  const words =
    command?.[0]?.endsWith("sh") && command[1] === "-c" ? (command[2] ?? "").trim().split(/\s+/) : command;
  if (words?.length !== 2 || !/(^|\/)sleep$/.test(words[0] ?? "")) return undefined;
  const n = Number(words[1]);
  return Number.isFinite(n) ? n : undefined;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}
