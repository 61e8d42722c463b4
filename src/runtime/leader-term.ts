// Runtime: what the controller does while it leads. Workers take group keys from the queue and
// reconcile each from the informer caches and a shared AWS inventory; the outcome maps to a queue
// action in one place (done: forget; requeue: come back later; retry: back off; terminal: forget).
// Every write (AWS and Kubernetes) passes the fence (fence.ts).

import { type CallStats, type FaultInjector, isReadOperation } from "../aws/call-layer.ts";
import type { ControllerSettings } from "../config/controller-settings.ts";
import type { Settings } from "../config/settings.ts";
import type { ClusterCache } from "../observe/cluster-cache.ts";
import { observeCluster } from "../observe/observe-aws.ts";
import type { ReconcileOutcome } from "../reconcile/outcome.ts";
import type { ReconcileDeps } from "../reconcile/reconcile-group.ts";
import { type ControllerMetrics, countResources, type ReconcileResult } from "../report/metrics.ts";
import { awsFence, fencedSink, type KubeCallCounter } from "./fence.ts";
import { InventoryCache } from "./inventory-cache.ts";
import { errorText, type Logger } from "./log.ts";
import { createRuntime, type Runtime, resolveVpcId, runPass } from "./pass.ts";
import type { WorkQueue } from "./work-queue.ts";

/** Everything a term needs from the controller that runs it. */
export interface TermDeps {
  readonly settings: Settings;
  readonly controller: Pick<ControllerSettings, "resyncMs" | "verifyMs">;
  readonly cache: ClusterCache;
  readonly queue: WorkQueue;
  readonly stats: CallStats;
  readonly metrics: ControllerMetrics;
  readonly logger: Logger;
  readonly isLeader: () => boolean;
  readonly countKubeCall: KubeCallCounter;
  readonly inventoryMaxAgeMs: number;
  readonly scope?: ReadonlySet<string>;
  readonly onOutcome?: (o: ReconcileOutcome) => void;
  /** Runs before every AWS attempt, after the fence (tests inject faults). */
  readonly beforeAwsCall?: FaultInjector;
}

/** One period of leadership: a runtime, workers, and the resync timer. */
export class LeaderTerm {
  private readonly deps: TermDeps;
  private readonly stopping = new AbortController();
  private rt: Runtime | undefined;
  private workers: Promise<void>[] = [];
  private resyncTimer: NodeJS.Timeout | undefined;
  // In memory on purpose: a new leader reads each group's AWS state in full once.
  private readonly verifiedAt = new Map<string, number>();
  /** True once every group is queued and the workers run. */
  running = false;

  constructor(deps: TermDeps) {
    this.deps = deps;
  }

  /** Wires a fresh runtime (empty tag cache: another writer may have led meanwhile) and starts the workers. */
  async start(): Promise<void> {
    const { deps } = this;
    const fence = awsFence(deps.isLeader);
    const extra = deps.beforeAwsCall;
    const beforeAwsCall: FaultInjector = extra
      ? (service, operation, attempt) => {
          fence(service, operation, attempt);
          extra(service, operation, attempt);
        }
      : fence;
    const rt = createRuntime(deps.settings, deps.stats, { beforeAwsCall });
    this.rt = rt;
    const vpcId = await this.resolveVpc(rt);
    if (vpcId === undefined) return;
    const inventory = new InventoryCache(
      () => observeCluster(rt.aws, deps.settings.cluster, vpcId),
      deps.inventoryMaxAgeMs,
    );
    const sink = fencedSink(rt.kube, deps.isLeader, deps.countKubeCall);
    this.enqueueAll();
    this.resyncTimer = setInterval(() => {
      inventory.invalidate();
      deps.logger.info({ groups: deps.cache.groups().length }, "periodic resync");
      this.enqueueAll();
    }, deps.controller.resyncMs);
    this.resyncTimer.unref();
    const worker = async () => {
      while (!this.stopping.signal.aborted) {
        const key = await deps.queue.get();
        // Woken without a key: the term is ending.
        if (key === undefined) break;
        if (this.stopping.signal.aborted) {
          deps.queue.done(key);
          deps.queue.add(key);
          break;
        }
        try {
          await this.reconcileKey(key, { rt, vpcId, inventory, sink });
        } finally {
          deps.queue.done(key);
        }
      }
    };
    this.workers = Array.from({ length: deps.settings.concurrency }, worker);
    this.running = true;
  }

  /** Stops taking keys and waits (at most `timeoutMs`) for the running reconciles. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping.abort();
    clearInterval(this.resyncTimer);
    this.deps.queue.release();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.all(this.workers), timeout]);
    clearTimeout(timer);
    this.rt?.close();
  }

  private enqueueAll(): void {
    const { cache, queue, scope } = this.deps;
    for (const g of cache.groups()) if (!scope || scope.has(g)) queue.add(g, "low");
  }

  private async resolveVpc(rt: Runtime): Promise<string | undefined> {
    for (let attempt = 1; !this.stopping.signal.aborted; attempt++) {
      try {
        return await resolveVpcId(rt);
      } catch (err) {
        const ms = Math.min(60_000, 1000 * 2 ** Math.min(attempt, 6));
        this.deps.logger.error({ err: errorText(err), retryInMs: ms }, "cannot find the VPC of the ALBs");
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ms);
          this.stopping.signal.addEventListener("abort", () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    }
    return undefined;
  }

  private verifyDue(group: string): boolean {
    const last = this.verifiedAt.get(group);
    return last === undefined || Date.now() - last >= this.deps.controller.verifyMs;
  }

  private async reconcileKey(
    key: string,
    ctx: { rt: Runtime; vpcId: string; inventory: InventoryCache; sink: ReconcileDeps["kube"] },
  ): Promise<void> {
    const { deps } = this;
    const log = deps.logger.child({ group: key });
    const started = performance.now();
    const finish = (result: ReconcileResult) => {
      const seconds = (performance.now() - started) / 1000;
      deps.metrics.reconciles.inc({ result });
      deps.metrics.reconcileDuration.observe({ result }, seconds);
      return Math.round(seconds * 1000);
    };
    if (deps.scope && !deps.scope.has(key)) {
      deps.queue.forget(key);
      return;
    }
    const verify = this.verifyDue(key);
    const snapshot = deps.cache.snapshotOf(key);
    let outcome: ReconcileOutcome | undefined;
    try {
      // No Ingress belongs to the group or names it in a finalizer: nothing to read AWS for.
      const inventory = snapshot.ingresses.length > 0 ? await ctx.inventory.get() : undefined;
      [outcome] = !inventory
        ? []
        : await runPass(ctx.rt, ctx.vpcId, {
            groups: new Set([key]),
            snapshot,
            inventory,
            verify,
            kube: ctx.sink,
          });
    } catch (err) {
      // The inventory could not be read (AWS unreachable, throttled past retries): back off.
      ctx.inventory.invalidate();
      const retryInMs = deps.queue.addRateLimited(key);
      deps.metrics.queueRetries.inc();
      log.error({ err: errorText(err), retryInMs, durationMs: finish("error") }, "reconcile failed");
      return;
    }
    if (!outcome) {
      // No Ingress belongs to the group or holds its finalizer any more (or it is frozen or out of scope).
      deps.queue.forget(key);
      deps.metrics.setManaged(key, undefined);
      log.debug({ durationMs: finish("skipped") }, "nothing to reconcile");
      return;
    }
    ctx.inventory.afterOutcome(outcome);
    const d = outcome.disposition;
    let result: ReconcileResult;
    let retryInMs: number | undefined;
    if (d.action === "done") {
      result = "success";
      deps.queue.forget(key);
      if (verify) this.verifiedAt.set(key, Date.now());
    } else if (d.action === "requeue") {
      result = "requeue";
      deps.queue.forget(key);
      deps.queue.addAfter(key, d.afterMs);
    } else if (d.action === "retry") {
      result = "error";
      retryInMs = deps.queue.addRateLimited(key);
      deps.metrics.queueRetries.inc();
    } else {
      result = "terminal";
      deps.queue.forget(key);
    }
    if (result !== "error") deps.metrics.setManaged(key, countResources(outcome.desired));
    const calls = Object.values(outcome.calls).reduce((a, b) => a + b, 0);
    const mutating = Object.entries(outcome.calls)
      .filter(([k]) => !isReadOperation(k.split(":")[1] ?? ""))
      .reduce((n, [, v]) => n + v, 0);
    const fields = {
      result,
      durationMs: finish(result),
      verify,
      changes: outcome.applied.length + (outcome.other?.length ?? 0),
      awsCalls: calls,
      mutatingCalls: mutating,
      problems: (outcome.problems ?? outcome.desired.problems).length,
      ...(outcome.hostname ? { hostname: outcome.hostname } : {}),
      ...(d.action === "requeue" ? { requeueInMs: d.afterMs, reason: d.reason } : {}),
      ...(retryInMs !== undefined ? { retryInMs } : {}),
      ...(d.action === "terminal" ? { reason: d.reason } : {}),
      ...(outcome.error ? { err: outcome.error } : {}),
    };
    if (result === "error" || result === "terminal") log.warn(fields, "reconcile failed");
    else if (fields.changes > 0 || result === "requeue") log.info(fields, "reconciled");
    else log.debug(fields, "in sync");
    deps.onOutcome?.(outcome);
  }
}
