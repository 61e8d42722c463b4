// Testbed node: registers one Node (Ready, zone label, heartbeats through a Lease in kube-node-lease
// and status updates, so the node lifecycle controller never taints it) and runs the Pods the
// scheduler binds to it. Node N has the loopback range 127.1.N.0/24: .1 is the node, Pods get .2 up,
// an address reused once its Pod is gone.

import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CoreV1Api,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1ObjectMeta,
  type V1Pod,
} from "@kubernetes/client-node";
import { Informer } from "../../src/kube/informer.ts";
import { statusCodeOf } from "../../src/kube/kube-port.ts";
import { LeaseLock } from "../../src/kube/lease.ts";
import type { ImageCatalog } from "./images.ts";
import { PodRunner } from "./pod.ts";

/** A Pod as the API server returns it (always named). */
type BoundPod = V1Pod & { metadata: V1ObjectMeta & { name: string } };

const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
const LEASE_SECONDS = 40;
const LEASE_RENEW_MS = 10_000;
const STATUS_EVERY_MS = 30_000;

/** One testbed node. */
export interface NodeOptions {
  readonly config: KubeConfig;
  /** N of gannet-testbed-node-N and of its range 127.1.N.0/24 (1-254). */
  readonly index: number;
  readonly zone: string;
  readonly images: ImageCatalog;
  /** The node's own directory for processes and Pod logs. */
  readonly stateDir: string;
  readonly log: (message: string) => void;
}

/** A testbed node: a Node object and the Pods bound to it. */
export class TestbedNode {
  readonly name: string;
  readonly ip: string;
  private readonly core: CoreV1Api;
  private readonly pods = new Map<string, PodRunner>();
  private readonly lease: LeaseLock;
  private informer: Informer<BoundPod> | undefined;
  private timers: NodeJS.Timeout[] = [];

  private readonly o: NodeOptions;

  constructor(o: NodeOptions) {
    this.o = o;
    this.name = `gannet-testbed-node-${o.index}`;
    this.ip = `127.1.${o.index}.1`;
    this.core = o.config.makeApiClient(CoreV1Api);
    this.lease = new LeaseLock(o.config, { namespace: "kube-node-lease", name: this.name });
  }

  private get processDir(): string {
    return join(this.o.stateDir, "processes");
  }

  /** Cleans up what an earlier run left, registers the Node and starts running its Pods. */
  async start(): Promise<void> {
    this.cleanUpProcesses();
    rmSync(join(this.o.stateDir, "pods"), { recursive: true, force: true });
    mkdirSync(this.processDir, { recursive: true });
    await this.register();
    await this.renewLease();
    this.timers.push(setInterval(() => void this.renewLease(), LEASE_RENEW_MS));
    this.timers.push(setInterval(() => void this.updateNodeStatus(), STATUS_EVERY_MS));
    const selector = encodeURIComponent(`spec.nodeName=${this.name}`);
    this.informer = new Informer<BoundPod>({
      config: this.o.config,
      path: `/api/v1/pods?fieldSelector=${selector}`,
      list: async (page) => {
        const list = await this.core.listPodForAllNamespaces({
          fieldSelector: `spec.nodeName=${this.name}`,
          limit: page.limit,
          ...(page.continue ? { _continue: page.continue } : {}),
        });
        return {
          items: JSON.parse(JSON.stringify(list.items)),
          resourceVersion: list.metadata?.resourceVersion ?? "",
          continue: list.metadata?._continue,
        };
      },
      trim: (raw) => raw as BoundPod,
      handler: { upsert: (pod) => this.upsertPod(pod), remove: (pod) => this.removePod(pod) },
      onError: (message, err) => this.o.log(`${message}: ${String(err)}`),
    });
    this.informer.start();
    await this.informer.synced;
  }

  /** Stops the node's processes (the Node object and its Pods stay, as when a kubelet stops). */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.informer?.stop();
    await Promise.all([...this.pods.values()].map((p) => p.shutdown()));
  }

  private upsertPod(pod: V1Pod): void {
    const uid = pod.metadata?.uid ?? "";
    const known = this.pods.get(uid);
    if (known) {
      known.update(pod);
      return;
    }
    const phase = pod.status?.phase;
    if (phase === "Succeeded" || phase === "Failed") {
      if (pod.metadata?.deletionTimestamp) void this.deleteNow(pod);
      return;
    }
    const ip = this.allocateIp(pod);
    if (!ip) {
      this.o.log(
        `${pod.metadata?.namespace}/${pod.metadata?.name}: no free address left in 127.1.${this.o.index}.0/24`,
      );
      return;
    }
    const runner = new PodRunner(pod, ip, {
      nodeIp: this.ip,
      core: this.core,
      images: this.o.images,
      stateDir: this.o.stateDir,
      track: (pid, command) => writeFileSync(join(this.processDir, String(pid)), command),
      untrack: (pid) => rmSync(join(this.processDir, String(pid)), { force: true }),
      log: this.o.log,
    });
    this.pods.set(uid, runner);
    void runner.terminated.then(() => this.pods.delete(uid));
    if (pod.metadata?.deletionTimestamp) {
      void runner.terminate();
      return;
    }
    this.o.log(`${pod.metadata?.namespace}/${pod.metadata?.name}: starting at ${ip}`);
    runner.start().catch((err) => this.o.log(`${pod.metadata?.name}: start failed: ${String(err)}`));
  }

  private removePod(pod: V1Pod): void {
    const uid = pod.metadata?.uid ?? "";
    const runner = this.pods.get(uid);
    if (!runner) return;
    void runner.remove();
  }

  private async deleteNow(pod: V1Pod): Promise<void> {
    await this.core
      .deleteNamespacedPod({
        name: pod.metadata?.name ?? "",
        namespace: pod.metadata?.namespace ?? "",
        gracePeriodSeconds: 0,
        body: { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata?.uid ?? "" } },
      })
      .catch(() => {});
  }

  /** The Pod's address: the one it had (a node restarted) when free, else the lowest free one. */
  private allocateIp(pod: V1Pod): string | undefined {
    const used = new Set([...this.pods.values()].map((p) => p.podIp));
    const prefix = `127.1.${this.o.index}.`;
    const had = pod.status?.podIP;
    if (had?.startsWith(prefix) && !used.has(had) && Number(had.slice(prefix.length)) >= 2) return had;
    for (let host = 2; host <= 254; host++) if (!used.has(`${prefix}${host}`)) return `${prefix}${host}`;
    return undefined;
  }

  /** Kills the process groups an earlier run of this node left behind. */
  private cleanUpProcesses(): void {
    let files: string[] = [];
    try {
      files = readdirSync(this.processDir);
    } catch {
      return;
    }
    for (const f of files) {
      const pid = Number(f);
      const command = readFileSync(join(this.processDir, f), "utf8");
      let cmdline = "";
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0] ?? "";
      } catch {
        // Gone.
      }
      // Only a process still running the recorded program (its pid may have been reused since).
      if (pid > 1 && cmdline === command) {
        try {
          process.kill(-pid, "SIGKILL");
          this.o.log(`killed process group ${pid} (${command}) left by an earlier run`);
        } catch {
          // Gone meanwhile.
        }
      }
      rmSync(join(this.processDir, f), { force: true });
    }
  }

  private nodeStatus(): Record<string, unknown> {
    const now = new Date().toISOString();
    const condition = (type: string, status: string, reason: string, message: string) => ({
      type,
      status,
      reason,
      message,
      lastHeartbeatTime: now,
      lastTransitionTime: this.startedAt,
    });
    return {
      capacity: { cpu: "8", memory: "16Gi", pods: "110", "ephemeral-storage": "50Gi" },
      allocatable: { cpu: "8", memory: "16Gi", pods: "110", "ephemeral-storage": "50Gi" },
      addresses: [
        { type: "InternalIP", address: this.ip },
        { type: "Hostname", address: this.name },
      ],
      conditions: [
        condition(
          "MemoryPressure",
          "False",
          "KubeletHasSufficientMemory",
          "kubelet has sufficient memory available",
        ),
        condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        condition("Ready", "True", "KubeletReady", "Gannet testbed node is posting ready status"),
      ],
      nodeInfo: {
        architecture: "amd64",
        operatingSystem: "linux",
        kubeletVersion: "v1.35.4-gannet-testbed",
        kubeProxyVersion: "",
        containerRuntimeVersion: "gannet-testbed://1",
        osImage: "Gannet testbed node",
        kernelVersion: "",
        machineID: "",
        systemUUID: "",
        bootID: "",
      },
      daemonEndpoints: { kubeletEndpoint: { Port: 0 } },
    };
  }

  private readonly startedAt = new Date().toISOString();

  private async register(): Promise<void> {
    const labels = {
      "kubernetes.io/hostname": this.name,
      "kubernetes.io/os": "linux",
      "kubernetes.io/arch": "amd64",
      "topology.kubernetes.io/zone": this.o.zone,
      "topology.kubernetes.io/region": this.o.zone.replace(/[a-z]$/, ""),
      "node.kubernetes.io/instance-type": "gannet-testbed",
    };
    try {
      await this.core.createNode({ body: { metadata: { name: this.name, labels }, spec: {} } });
      this.o.log(`registered Node ${this.name} (${this.ip}, zone ${this.o.zone})`);
    } catch (err) {
      if (statusCodeOf(err) !== 409) throw err;
      await this.core.patchNode({ name: this.name, body: { metadata: { labels } } }, mergePatch);
      this.o.log(`Node ${this.name} exists: taking it over (${this.ip}, zone ${this.o.zone})`);
    }
    await this.updateNodeStatus();
  }

  private async updateNodeStatus(): Promise<void> {
    try {
      await this.core.patchNodeStatus({ name: this.name, body: { status: this.nodeStatus() } }, mergePatch);
    } catch (err) {
      this.o.log(`node status update failed: ${String(err)}`);
    }
  }

  private async renewLease(): Promise<void> {
    try {
      const now = Date.now();
      const current = await this.lease.get();
      const record = {
        holderIdentity: this.name,
        leaseDurationSeconds: LEASE_SECONDS,
        renewTime: now,
        leaseTransitions: 0,
      };
      if (!current) await this.lease.create(record);
      else
        await this.lease.update(
          { ...current.record, ...record, leaseTransitions: current.record.leaseTransitions },
          current.resourceVersion,
        );
    } catch (err) {
      this.o.log(`lease renewal failed: ${String(err)}`);
    }
  }
}
