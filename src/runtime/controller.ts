// Runtime: `gannet controller`, the in-cluster controller. Informers fill caches of Ingresses,
// IngressClasses, Services and EndpointSlices; each change maps (through the cache's indexes) to
// the groups it affects, whose keys go into a work queue. Every replica keeps warm caches and a
// queue; only the holder of the leader Lease runs workers (src/runtime/leader-term.ts), so a
// standby that takes over starts with the groups that changed while it waited. /metrics, /healthz
// and /readyz are served; SIGTERM finishes the running reconciles and releases the Lease.

import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { CallStats, type FaultInjector } from "../aws/call-layer.ts";
import type { ControllerSettings } from "../config/controller-settings.ts";
import type { Settings } from "../config/settings.ts";
import {
  type ClusterInformerOptions,
  createClusterInformers,
  type WatchedKind,
  type WatchedObject,
} from "../kube/cluster-informers.ts";
import type { Informer } from "../kube/informer.ts";
import { loadKubeConfig } from "../kube/kube-port.ts";
import { LeaderElector } from "../kube/leader-election.ts";
import { LeaseLock } from "../kube/lease.ts";
import { ClusterCache } from "../observe/cluster-cache.ts";
import type { ReconcileOutcome } from "../reconcile/outcome.ts";
import { ControllerMetrics } from "../report/metrics.ts";
import { type RunningHttpServer, startHttpServer } from "./http-server.ts";
import { LeaderTerm } from "./leader-term.ts";
import { createLogger, errorText, type Logger } from "./log.ts";
import { WorkQueue } from "./work-queue.ts";

/** Options a front door, test or benchmark passes beside the validated settings. */
export interface ControllerOptions {
  readonly logger?: Logger;
  /** Called after every reconcile. */
  readonly onOutcome?: (o: ReconcileOutcome) => void;
  /** Counts the controller's AWS calls (a benchmark's own counter); metrics read it too. */
  readonly stats?: CallStats;
  /** Only these groups (a benchmark or test scope); all groups when absent. */
  readonly groups?: ReadonlySet<string>;
  /** This candidate's name in the Lease; default `<hostname>_<uuid>`. */
  readonly identity?: string;
  /** How long an event's groups wait before their reconcile, so a burst settles into one; default 100 ms. */
  readonly settleMs?: number;
  /** How long reconciles share one AWS inventory read; default 30 s. */
  readonly inventoryMaxAgeMs?: number;
  readonly informers?: ClusterInformerOptions;
  /** Runs before every AWS attempt, after the leader fence, and may throw (how tests inject throttling). */
  readonly beforeAwsCall?: FaultInjector;
}

/** One controller process: caches, queue, election, HTTP endpoints. */
export class Controller {
  readonly metrics = new ControllerMetrics();
  readonly cache = new ClusterCache();
  readonly queue = new WorkQueue();
  readonly stats: CallStats;
  readonly identity: string;
  readonly logger: Logger;
  private readonly settings: Settings;
  private readonly cs: ControllerSettings;
  private readonly opts: ControllerOptions;
  private readonly informers: Map<WatchedKind, Informer<WatchedObject>>;
  private readonly elector: LeaderElector | undefined;
  private readonly election = new AbortController();
  private electionDone: Promise<void> | undefined;
  private term: LeaderTerm | undefined;
  private termChain: Promise<void> = Promise.resolve();
  private leading = false;
  private synced = false;
  private stopping = false;
  private http: RunningHttpServer | undefined;

  constructor(settings: Settings, cs: ControllerSettings, opts: ControllerOptions = {}) {
    this.settings = settings;
    this.cs = cs;
    this.opts = opts;
    this.stats = opts.stats ?? new CallStats();
    this.identity = opts.identity ?? `${hostname()}_${randomUUID()}`;
    this.logger = opts.logger ?? createLogger(cs.logLevel);
    const config = loadKubeConfig(settings.kubeconfig);
    const count = (verb: string, resource: string, result: "success" | "error") =>
      this.metrics.kubeCalls.inc({ verb, resource, result });
    this.informers = createClusterInformers(
      config,
      {
        upsert: (kind, obj) => this.onChange(kind, obj, this.cache.upsert(kind, obj)),
        remove: (kind, obj) => this.onChange(kind, obj, this.cache.remove(kind, obj)),
      },
      {
        onCall: count,
        onRestart: (resource, reason, gapMs) => {
          this.metrics.watchRestarts.inc({ resource, reason });
          this.metrics.watchGap.observe({ resource }, gapMs / 1000);
          this.logger.debug({ resource, reason, gapMs }, "watch restarted");
        },
        onError: (resource, message, err) => this.logger.warn({ resource, err: errorText(err) }, message),
      },
      // Join policies live in Gannet's own namespace (the Lease's): the only ConfigMaps it may read.
      { configMapNamespace: cs.leaseNamespace, ...(opts.informers ?? {}) },
    );
    if (cs.leaderElection) {
      const lock = new LeaseLock(
        config,
        { namespace: cs.leaseNamespace, name: cs.leaseName },
        (verb, result) => count(verb, "leases", result),
      );
      this.elector = new LeaderElector(lock, this.identity, {
        leaseDurationMs: cs.leaseDurationMs,
        renewDeadlineMs: cs.renewDeadlineMs,
        retryPeriodMs: cs.retryPeriodMs,
      });
    }
    this.metrics.observeAwsCalls(this.stats);
    this.metrics.setSources({
      queue: () => ({ depth: this.queue.depth, active: this.queue.active, delayed: this.queue.delayed }),
      isLeader: () => this.isLeader(),
      cacheCounts: () => this.cache.counts(),
    });
  }

  /** The URL of /metrics, /healthz and /readyz, once started with a bind address. */
  get url(): string | undefined {
    return this.http?.url;
  }

  /** True while this process may write: it holds the Lease (or runs without election). */
  isLeader(): boolean {
    return this.leading && (this.elector?.isLeader() ?? true);
  }

  /** True while leading with nothing queued, running or waiting (tests and benchmarks wait for it). */
  isIdle(): boolean {
    const q = this.queue;
    return this.isLeader() && (this.term?.running ?? false) && q.depth + q.active + q.delayed === 0;
  }

  /** True once every cache holds its first list. */
  isReady(): boolean {
    return this.synced && !this.stopping;
  }

  /** Serves the endpoints, fills the caches, then campaigns for the Lease (or leads at once). */
  async start(): Promise<void> {
    if (this.cs.metricsAddress) {
      this.http = await startHttpServer(this.cs.metricsAddress, {
        metrics: () => this.metrics.text(),
        metricsContentType: this.metrics.registry.contentType,
        healthy: () => ({ ok: true, detail: "ok" }),
        ready: () =>
          this.isReady()
            ? { ok: true, detail: `ready (${this.isLeader() ? "leader" : "standby"})` }
            : { ok: false, detail: this.stopping ? "shutting down" : "filling the informer caches" },
      });
      this.logger.info({ url: this.http.url }, "serving /metrics, /healthz and /readyz");
    }
    const stopped = new Promise<void>((resolve) =>
      this.election.signal.addEventListener("abort", () => resolve(), { once: true }),
    );
    // One kind after the other: the first lists' garbage never piles up at once (peak memory), and
    // Services and EndpointSlices are in place before the Ingresses that name them.
    for (const informer of this.informers.values()) {
      informer.start();
      await Promise.race([informer.synced, stopped]);
      if (this.stopping) return;
    }
    this.synced = true;
    this.logger.info({ objects: this.cache.counts(), groups: this.cache.groups().length }, "caches filled");
    if (!this.elector) {
      this.becomeLeader();
      return;
    }
    this.logger.info(
      { lease: `${this.cs.leaseNamespace}/${this.cs.leaseName}`, identity: this.identity },
      "campaigning for the leader Lease",
    );
    this.electionDone = this.elector.run(this.election.signal, {
      onStartedLeading: () => this.becomeLeader(),
      onStoppedLeading: () => {
        this.logger.warn({ identity: this.identity }, "lost the leader Lease: standing by");
        this.endTerm();
      },
      onNewLeader: (leader) => {
        if (leader !== this.identity) this.logger.info({ leader }, "another replica leads");
      },
      onError: (err) => this.logger.warn({ err: errorText(err) }, "leader election: API server call failed"),
    });
  }

  /**
   * Stops: no new reconcile starts, running ones finish (up to the shutdown timeout), then the
   * Lease is released (unless `release` is false: a simulated crash) and the watches end.
   */
  async stop(opts: { readonly release?: boolean } = {}): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.election.abort();
    await this.electionDone;
    this.endTerm();
    await this.termChain;
    if (opts.release !== false && this.elector) {
      await this.elector
        .release()
        .catch((err: unknown) =>
          this.logger.warn({ err: errorText(err) }, "could not release the leader Lease"),
        );
    }
    this.leading = false;
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
    this.queue.shutdown();
    await this.http?.close();
    this.logger.info({ released: opts.release !== false }, "stopped");
  }

  private becomeLeader(): void {
    this.leading = true;
    this.metrics.leaderTransitions.inc();
    this.logger.info({ identity: this.identity }, "leading: reconciling every group");
    this.termChain = this.termChain
      .then(async () => {
        if (this.stopping || !this.leading) return;
        const term = new LeaderTerm({
          settings: this.settings,
          controller: this.cs,
          cache: this.cache,
          queue: this.queue,
          stats: this.stats,
          metrics: this.metrics,
          logger: this.logger,
          isLeader: () => this.isLeader(),
          countKubeCall: (verb, resource, result) => this.metrics.kubeCalls.inc({ verb, resource, result }),
          inventoryMaxAgeMs: this.opts.inventoryMaxAgeMs ?? 30_000,
          ...(this.opts.groups ? { scope: this.opts.groups } : {}),
          ...(this.opts.onOutcome ? { onOutcome: this.opts.onOutcome } : {}),
          ...(this.opts.beforeAwsCall ? { beforeAwsCall: this.opts.beforeAwsCall } : {}),
        });
        this.term = term;
        await term.start();
      })
      .catch((err: unknown) => this.logger.error({ err: errorText(err) }, "could not start leading"));
  }

  private endTerm(): void {
    const wasLeading = this.leading;
    if (!this.stopping) this.leading = false;
    this.termChain = this.termChain
      .then(async () => {
        const term = this.term;
        this.term = undefined;
        if (!term) return;
        await term.stop(this.cs.shutdownTimeoutMs);
        this.metrics.clearManaged();
        if (wasLeading) this.logger.info("workers stopped");
      })
      .catch((err: unknown) => this.logger.error({ err: errorText(err) }, "could not stop the workers"));
  }

  private onChange(
    kind: WatchedKind,
    obj: WatchedObject,
    change: { groups: readonly string[]; skipped?: string },
  ): void {
    // Before the caches are filled, the first lists name every group: the first term queues them all.
    if (!this.synced) return;
    const name = `${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ""}${obj.metadata.name}`;
    if (change.skipped) {
      this.logger.debug({ kind, name, reason: change.skipped }, "change ignored");
      return;
    }
    const settle = this.opts.settleMs ?? 100;
    for (const group of change.groups) {
      if (this.opts.groups && !this.opts.groups.has(group)) continue;
      this.queue.addAfter(group, settle);
    }
    if (change.groups.length > 0) this.logger.debug({ kind, name, groups: change.groups }, "queued");
  }
}

/** Runs the controller until SIGINT/SIGTERM (or the signal aborts); resolves to the exit code. */
export async function runController(
  settings: Settings,
  cs: ControllerSettings,
  opts: ControllerOptions & { readonly signal?: AbortSignal } = {},
): Promise<number> {
  const controller = new Controller(settings, cs, opts);
  let onSignal: () => void = () => {};
  const stopRequested = new Promise<void>((resolve) => {
    onSignal = () => resolve();
  });
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  opts.signal?.addEventListener("abort", onSignal, { once: true });
  if (opts.signal?.aborted) onSignal();
  try {
    await Promise.race([controller.start(), stopRequested]);
    await stopRequested;
    controller.logger.info("stopping: finishing running reconciles, then releasing the Lease");
    await controller.stop({ release: true });
    return 0;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
