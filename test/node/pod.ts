// Testbed node: one Pod bound to the node, run as local processes. Starts its init containers then
// its containers, reports the Pod's status (phase, IPs, conditions, container statuses) as the
// kubelet does, and on deletion stops them (preStop, SIGTERM, grace period, SIGKILL) before
// deleting the Pod with grace period 0.

import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import {
  type CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1Container,
  type V1Pod,
} from "@kubernetes/client-node";
import { ContainerRunner } from "./container.ts";
import type { ImageCatalog } from "./images.ts";
import { buildContainerEnv, ContainerConfigError, expandReferences } from "./pod-env.ts";

const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

/** What a Pod runner needs from its node. */
export interface PodHost {
  readonly nodeIp: string;
  readonly core: CoreV1Api;
  readonly images: ImageCatalog;
  readonly stateDir: string;
  readonly track: (pid: number, command: string) => void;
  readonly untrack: (pid: number) => void;
  readonly log: (message: string) => void;
}

type Condition = { type: string; status: "True" | "False"; lastTransitionTime: string; reason?: string };

/** One Pod of the node. */
export class PodRunner {
  private pod: V1Pod;
  private containers: ContainerRunner[] = [];
  private initRunner: ContainerRunner | undefined;
  private dir = "";
  private waiting: Record<string, { reason: string; message: string }> = {};
  private initialized = false;
  private failed: { reason: string; message: string } | undefined;
  private terminating: Promise<void> | undefined;
  private readonly conditionTimes = new Map<string, { status: string; at: string }>();
  private readonly startTime = new Date().toISOString();
  private syncing = false;
  private dirty = false;
  private gone = false;
  private markTerminated: () => void = () => {};
  /** Resolves once the Pod is over for this node (deleted, or its object gone). */
  readonly terminated = new Promise<void>((resolve) => {
    this.markTerminated = resolve;
  });

  readonly podIp: string;
  private readonly host: PodHost;

  constructor(pod: V1Pod, podIp: string, host: PodHost) {
    this.pod = pod;
    this.podIp = podIp;
    this.host = host;
  }

  private get key(): string {
    return `${this.pod.metadata?.namespace}/${this.pod.metadata?.name}`;
  }

  /** The newest version of the Pod object seen. */
  update(pod: V1Pod): void {
    this.pod = pod;
    if (pod.metadata?.deletionTimestamp)
      this.terminate().catch((err) => this.host.log(`${this.key}: termination failed: ${String(err)}`));
  }

  /** Starts the Pod's init containers, then its containers. */
  async start(): Promise<void> {
    const spec = this.pod.spec;
    if (!spec) return;
    const dir = join(
      this.host.stateDir,
      "pods",
      `${this.pod.metadata?.namespace}_${this.pod.metadata?.name}_${this.pod.metadata?.uid}`,
    );
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
    this.sync();
    for (const c of spec.initContainers ?? []) {
      if (this.terminating) return;
      const runner = await this.prepare(c, dir, "Never");
      if (!runner || this.terminating) return;
      this.initRunner = runner;
      runner.start();
      while (!runner.done && !this.terminating) await new Promise((r) => setTimeout(r, 100));
      const end = runner.state;
      if (!("terminated" in end) || end.terminated.exitCode !== 0) {
        this.failed = { reason: "Init:Error", message: `init container ${c.name} failed` };
        this.sync();
        return;
      }
    }
    this.initialized = true;
    const runners: ContainerRunner[] = [];
    for (const c of spec.containers) {
      const runner = await this.prepare(c, dir, spec.restartPolicy ?? "Always");
      if (runner) runners.push(runner);
    }
    if (runners.length !== spec.containers.length || this.terminating) {
      this.sync();
      return;
    }
    this.containers = runners;
    for (const r of runners) r.start();
    this.sync();
  }

  /** A container ready to start, or undefined (its waiting reason recorded) when it cannot run. */
  private async prepare(
    c: V1Container,
    dir: string,
    restartPolicy: string,
  ): Promise<ContainerRunner | undefined> {
    const program = this.host.images.resolve(c);
    if (!program) {
      const message =
        `image "${c.image}" is not known to the Gannet testbed node: it runs only ` +
        `${this.host.images.known().join(", ")} (any tag); see test/node/README.md`;
      this.waiting[c.name] = { reason: "ErrImagePull", message };
      this.host.log(`${this.key}: ${message}`);
      return undefined;
    }
    try {
      const env = await buildContainerEnv(c, {
        pod: this.pod,
        podIp: this.podIp,
        hostIp: this.host.nodeIp,
        core: this.host.core,
      });
      return new ContainerRunner({
        spec: c,
        image: c.image ?? "",
        program: { command: program.command, args: program.args.map((a) => expandReferences(a, env)) },
        env,
        podIp: this.podIp,
        cwd: dir,
        logFile: join(dir, `${c.name}.log`),
        restartPolicy,
        gracePeriodSeconds: this.pod.spec?.terminationGracePeriodSeconds ?? 30,
        track: this.host.track,
        untrack: this.host.untrack,
        onChange: () => this.sync(),
      });
    } catch (err) {
      if (!(err instanceof ContainerConfigError)) throw err;
      this.waiting[c.name] = { reason: "CreateContainerConfigError", message: err.message };
      return undefined;
    }
  }

  /** Begins the graceful termination the Pod's deletion asks for (once). */
  terminate(): Promise<void> {
    this.terminating ??= this.runTermination();
    return this.terminating;
  }

  private async runTermination(): Promise<void> {
    try {
      await this.stopAndDelete();
    } finally {
      this.finish();
    }
  }

  /** The Pod is over for this node: its logs go, its address is free. */
  private finish(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.markTerminated();
  }

  private async stopAndDelete(): Promise<void> {
    const grace =
      this.pod.metadata?.deletionGracePeriodSeconds ?? this.pod.spec?.terminationGracePeriodSeconds ?? 30;
    this.host.log(`${this.key}: terminating (grace ${grace}s)`);
    const deadline = Date.now() + grace * 1000;
    await Promise.all(
      [...this.containers, ...(this.initRunner ? [this.initRunner] : [])].map((c) => c.stop(deadline)),
    );
    await this.flush();
    if (this.gone) return;
    try {
      await this.host.core.deleteNamespacedPod({
        name: this.pod.metadata?.name ?? "",
        namespace: this.pod.metadata?.namespace ?? "",
        gracePeriodSeconds: 0,
        body: { gracePeriodSeconds: 0, preconditions: { uid: this.pod.metadata?.uid ?? "" } },
      });
      this.host.log(`${this.key}: deleted`);
    } catch (err) {
      this.host.log(`${this.key}: delete failed (the Pod is probably gone already): ${String(err)}`);
    }
  }

  /** The Pod object is gone: stop everything at once, without preStop, and report nothing more. */
  async remove(): Promise<void> {
    this.gone = true;
    const all = [...this.containers, ...(this.initRunner ? [this.initRunner] : [])];
    await Promise.all(all.map((c) => c.stop(Date.now() + 2000, false)));
    this.finish();
  }

  /** Stops the processes without touching the API (the node is shutting down). */
  async shutdown(): Promise<void> {
    this.gone = true;
    await Promise.all(this.containers.map((c) => c.stop(Date.now() + 2000, false)));
  }

  /** Writes the status now (a sync already under way is followed by another). */
  private async flush(): Promise<void> {
    this.sync();
    while (this.syncing) await new Promise((r) => setTimeout(r, 20));
  }

  /** Schedules a status update; one at a time, the last state wins. */
  private sync(): void {
    this.dirty = true;
    if (this.syncing || this.gone) return;
    this.syncing = true;
    void (async () => {
      while (this.dirty && !this.gone) {
        this.dirty = false;
        try {
          await this.host.core.patchNamespacedPodStatus(
            {
              name: this.pod.metadata?.name ?? "",
              namespace: this.pod.metadata?.namespace ?? "",
              body: { status: this.status() },
            },
            mergePatch,
          );
        } catch (err) {
          if ((err as { code?: number }).code === 404) this.gone = true;
          else {
            this.host.log(`${this.key}: status update failed, retrying: ${String(err)}`);
            this.dirty = true;
            await new Promise((r) => setTimeout(r, 1000));
          }
        }
      }
      this.syncing = false;
    })();
  }

  private condition(type: string, ok: boolean, reason?: string): Condition {
    const status = ok ? "True" : "False";
    const prev = this.conditionTimes.get(type);
    const at = prev?.status === status ? prev.at : new Date().toISOString();
    this.conditionTimes.set(type, { status, at });
    return { type, status, lastTransitionTime: at, ...(reason && !ok ? { reason } : {}) };
  }

  private phase(): string {
    if (this.failed) return "Failed";
    const specs = this.pod.spec?.containers ?? [];
    if (!this.initialized || this.containers.length !== specs.length) return "Pending";
    if (this.containers.every((c) => c.done)) {
      const ok = this.containers.every((c) => "terminated" in c.state && c.state.terminated.exitCode === 0);
      return ok ? "Succeeded" : "Failed";
    }
    return "Running";
  }

  /** The Pod status the kubelet would report. */
  status(): Record<string, unknown> {
    const specs = this.pod.spec?.containers ?? [];
    const statuses = specs.map((spec) => {
      const runner = this.containers.find((c) => c.name === spec.name);
      if (runner) return runner.status();
      const waiting = this.waiting[spec.name] ?? { reason: "ContainerCreating" };
      return {
        name: spec.name,
        image: spec.image ?? "",
        imageID: "",
        ready: false,
        started: false,
        restartCount: 0,
        state: { waiting },
      };
    });
    const allReady = statuses.length > 0 && statuses.every((s) => s.ready === true);
    const notReadyReason =
      this.containers.length === specs.length ? "ContainersNotReady" : "ContainersNotInitialized";
    const scheduled = (this.pod.status?.conditions ?? []).find((c) => c.type === "PodScheduled");
    return {
      phase: this.phase(),
      ...(this.failed ? { reason: this.failed.reason, message: this.failed.message } : {}),
      hostIP: this.host.nodeIp,
      hostIPs: [{ ip: this.host.nodeIp }],
      podIP: this.podIp,
      podIPs: [{ ip: this.podIp }],
      startTime: this.startTime,
      conditions: [
        ...(scheduled ? [JSON.parse(JSON.stringify(scheduled))] : []),
        this.condition("PodReadyToStartContainers", true),
        this.condition("Initialized", this.initialized, "ContainersNotInitialized"),
        this.condition("ContainersReady", allReady, notReadyReason),
        this.condition("Ready", allReady, notReadyReason),
      ],
      containerStatuses: statuses,
    };
  }
}
