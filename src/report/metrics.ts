// Report stage: the controller's Prometheus metrics (prom-client), served on /metrics.
// Names follow Prometheus conventions (`_total` counters, `_seconds` histograms); the AWS figures
// come from the one call layer every AWS call passes (src/aws/call-layer.ts).

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { CallStats } from "../aws/call-layer.ts";
import type { DesiredGroup } from "../model/desired.ts";

/** What a reconcile ended with, as the `result` label says it. */
export type ReconcileResult = "success" | "requeue" | "error" | "terminal" | "skipped";

/** Managed resources of one group, by kind. */
export type ResourceCounts = Readonly<Record<ResourceKind, number>>;

/** The kinds of the `gannet_managed_resources` gauge. */
export type ResourceKind =
  | "ingress_group"
  | "load_balancer"
  | "listener"
  | "listener_rule"
  | "target_group"
  | "target";

/** Counts what a group's desired model manages (nothing once it has no ALB). */
export function countResources(desired: DesiredGroup): ResourceCounts {
  const has = desired.loadBalancer !== undefined;
  return {
    ingress_group: has ? 1 : 0,
    load_balancer: has ? 1 : 0,
    listener: has ? desired.listeners.length : 0,
    listener_rule: has ? desired.listeners.reduce((n, l) => n + l.rules.length, 0) : 0,
    target_group: has ? desired.targetGroups.length : 0,
    target: has ? desired.targetGroups.reduce((n, t) => n + t.targets.length, 0) : 0,
  };
}

/** Sources read when Prometheus scrapes. */
export interface MetricSources {
  queue(): { depth: number; active: number; delayed: number };
  isLeader(): boolean;
  cacheCounts(): Readonly<Record<string, number>>;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const RECONCILE_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** Every metric of one controller, in its own registry. */
export class ControllerMetrics {
  readonly registry = new Registry();
  readonly reconciles: Counter<"result">;
  readonly reconcileDuration: Histogram<"result">;
  readonly queueRetries: Counter;
  readonly awsCalls: Counter<"service" | "operation" | "result">;
  readonly awsRetries: Counter<"service" | "operation">;
  readonly awsDuration: Histogram<"service" | "operation">;
  readonly kubeCalls: Counter<"verb" | "resource" | "result">;
  readonly watchRestarts: Counter<"resource" | "reason">;
  readonly watchGap: Histogram<"resource">;
  readonly leaderTransitions: Counter;
  private readonly managed = new Map<string, ResourceCounts>();
  private sources: MetricSources | undefined;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.reconciles = new Counter({
      name: "gannet_reconcile_total",
      help: "Ingress group reconciles, by result (success, requeue, error, terminal, skipped)",
      labelNames: ["result"],
      registers,
    });
    this.reconcileDuration = new Histogram({
      name: "gannet_reconcile_duration_seconds",
      help: "Duration of one Ingress group reconcile, by result",
      labelNames: ["result"],
      buckets: RECONCILE_BUCKETS,
      registers,
    });
    this.queueRetries = new Counter({
      name: "gannet_workqueue_retries_total",
      help: "Group keys queued again after a failed reconcile (with back-off)",
      registers,
    });
    this.awsCalls = new Counter({
      name: "gannet_aws_api_calls_total",
      help: "AWS API calls (after retries), by service, operation and result",
      labelNames: ["service", "operation", "result"],
      registers,
    });
    this.awsRetries = new Counter({
      name: "gannet_aws_api_retries_total",
      help: "Retried AWS API attempts (throttling, 5xx), by service and operation",
      labelNames: ["service", "operation"],
      registers,
    });
    this.awsDuration = new Histogram({
      name: "gannet_aws_api_call_duration_seconds",
      help: "AWS API call latency including retries, by service and operation",
      labelNames: ["service", "operation"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.kubeCalls = new Counter({
      name: "gannet_kube_api_calls_total",
      help: "Kubernetes API calls, by verb, resource and result",
      labelNames: ["verb", "resource", "result"],
      registers,
    });
    this.watchRestarts = new Counter({
      name: "gannet_watch_restarts_total",
      help: "Watches restarted, by resource and reason (closed, timeout, gone = relisted, error)",
      labelNames: ["resource", "reason"],
      registers,
    });
    this.watchGap = new Histogram({
      name: "gannet_watch_reconnect_gap_seconds",
      help: "Time between a watch ending and the next one being open (events wait that long)",
      labelNames: ["resource"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.leaderTransitions = new Counter({
      name: "gannet_leader_transitions_total",
      help: "Times this process became the leader",
      registers,
    });
    const metrics = this;
    new Gauge({
      name: "gannet_leader",
      help: "1 while this process holds the leader Lease (only the leader writes), else 0",
      registers,
      collect() {
        this.set(metrics.sources?.isLeader() ? 1 : 0);
      },
    });
    const queue = (name: string, help: string, pick: (q: ReturnType<MetricSources["queue"]>) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          const q = metrics.sources?.queue();
          this.set(q ? pick(q) : 0);
        },
      });
    queue("gannet_workqueue_depth", "Group keys waiting for a worker", (q) => q.depth);
    queue("gannet_workqueue_active", "Group keys being reconciled now", (q) => q.active);
    queue("gannet_workqueue_delayed", "Group keys waiting for a back-off or requeue delay", (q) => q.delayed);
    new Gauge({
      name: "gannet_informer_objects",
      help: "Objects in the informer caches, by kind",
      labelNames: ["kind"],
      registers,
      collect() {
        for (const [kind, n] of Object.entries(metrics.sources?.cacheCounts() ?? {})) this.set({ kind }, n);
      },
    });
    new Gauge({
      name: "gannet_managed_resources",
      help: "AWS resources the leader manages, by kind, from the last reconcile of each group",
      labelNames: ["kind"],
      registers,
      collect() {
        const totals: Record<string, number> = {
          ingress_group: 0,
          load_balancer: 0,
          listener: 0,
          listener_rule: 0,
          target_group: 0,
          target: 0,
        };
        for (const counts of metrics.managed.values())
          for (const [k, v] of Object.entries(counts)) totals[k] = (totals[k] ?? 0) + v;
        for (const [kind, n] of Object.entries(totals)) this.set({ kind }, n);
      },
    });
  }

  /** Connects the gauges to what they read at scrape time. */
  setSources(sources: MetricSources): void {
    this.sources = sources;
  }

  /** Counts every AWS call of `stats` from now on. */
  observeAwsCalls(stats: CallStats): void {
    stats.onCall((c) => {
      this.awsCalls.inc({
        service: c.service,
        operation: c.operation,
        result: c.failed ? "error" : "success",
      });
      if (c.attempts > 1) this.awsRetries.inc({ service: c.service, operation: c.operation }, c.attempts - 1);
      this.awsDuration.observe({ service: c.service, operation: c.operation }, c.ms / 1000);
    });
  }

  /** Records the resources a group manages after its reconcile (none: forgotten). */
  setManaged(group: string, counts: ResourceCounts | undefined): void {
    if (!counts || counts.ingress_group === 0) this.managed.delete(group);
    else this.managed.set(group, counts);
  }

  /** Forgets every group's resources (this process is no longer the leader). */
  clearManaged(): void {
    this.managed.clear();
  }

  /** The exposition text. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
