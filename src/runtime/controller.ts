// Runtime: `gannet controller`. Watches Ingresses, IngressClasses, Services and EndpointSlices and
// reconciles on change (debounced), on a resync timer, and again after a failure with backoff.
// A plain watch loop: informers, a per-key work queue and leader election arrive with the runtime work.

import { Watch } from "@kubernetes/client-node";
import type { CallStats } from "../aws/call-layer.ts";
import type { Settings } from "../config/settings.ts";
import { groupsOfFinalizers } from "../model/finalizers.ts";
import { groupKeyOf } from "../model/ingress-groups.ts";
import type { Ingress } from "../model/kube-objects.ts";
import type { ReconcileOutcome } from "../reconcile/reconcile-group.ts";
import { formatOutcome } from "./format.ts";
import { createRuntime, resolveVpcId, runPass } from "./pass.ts";

const INGRESSES = "/apis/networking.k8s.io/v1/ingresses";
const WATCHED = [
  INGRESSES,
  "/apis/networking.k8s.io/v1/ingressclasses",
  "/api/v1/services",
  "/apis/discovery.k8s.io/v1/endpointslices",
];

/** Options of the controller loop. */
export interface ControllerOptions {
  readonly signal?: AbortSignal;
  readonly onOutcome?: (o: ReconcileOutcome) => void;
  readonly log?: (line: string) => void;
  readonly resyncMs?: number;
  readonly debounceMs?: number;
  /** Counts the controller's AWS calls (metrics, benchmarks). */
  readonly stats?: CallStats;
  /** How often each group's AWS state is read even when its fingerprint says converged. */
  readonly verifyMs?: number;
  /** Only these groups (a benchmark or test scope); all groups when absent. */
  readonly groups?: ReadonlySet<string>;
  /** Called after every pass. */
  readonly onPass?: (outcomes: readonly ReconcileOutcome[]) => void;
}

/** Runs until the signal aborts (or SIGINT/SIGTERM); resolves to the exit code. */
export async function runController(settings: Settings, opts: ControllerOptions = {}): Promise<number> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const onOutcome = opts.onOutcome ?? ((o: ReconcileOutcome) => log(formatOutcome(o)));
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  opts.signal?.addEventListener("abort", onSignal, { once: true });

  const rt = createRuntime(settings, opts.stats);
  let wake: () => void = () => {};
  // What the next pass covers: every group, or only the groups Ingress events named.
  let dirtyAll = true;
  const dirtyGroups = new Set<string>();
  const trigger = (groups?: readonly string[]) => {
    if (groups) for (const g of groups) dirtyGroups.add(g);
    else dirtyAll = true;
    wake();
  };
  const isDirty = () => dirtyAll || dirtyGroups.size > 0;
  const watches = new Map<string, { abort(): void }>();
  const watch = new Watch(rt.kube.config);
  // Resuming from the last resourceVersion keeps a reconnect from replaying every object as ADDED.
  const resourceVersions = new Map<string, string>();
  const startWatch = async (path: string): Promise<void> => {
    if (stop.signal.aborted) return;
    const rv = resourceVersions.get(path);
    const onEvent = (phase: string, obj: Ingress & { code?: number }) => {
      if (phase === "ERROR") {
        // 410 Gone: our resourceVersion is too old; start over from a fresh list.
        resourceVersions.delete(path);
        return;
      }
      if (obj.metadata?.resourceVersion) resourceVersions.set(path, obj.metadata.resourceVersion);
      if (phase === "BOOKMARK") return;
      // An Ingress event touches its current group and any group its finalizers still name;
      // Services, EndpointSlices and IngressClasses may touch any group.
      trigger(path === INGRESSES ? [groupKeyOf(obj), ...groupsOfFinalizers(obj)] : undefined);
    };
    try {
      const params = { allowWatchBookmarks: true, ...(rv ? { resourceVersion: rv } : {}) };
      const req = await watch.watch(path, params, onEvent, (err: unknown) => {
        // A watch ends on every server timeout or error: start it again.
        // client-node cuts every watch after 30 s: that is routine, resumed at once and not logged.
        const routine =
          !err || (err instanceof Error && (err.name === "TimeoutError" || /timeout/i.test(err.message)));
        if (!routine) log(`watch ${path} ended: ${err instanceof Error ? err.message : String(err)}`);
        if (!stop.signal.aborted) setTimeout(() => void startWatch(path), routine ? 0 : 1000);
      });
      watches.set(path, req);
    } catch (err) {
      log(`watch ${path} could not start: ${err instanceof Error ? err.message : String(err)}; retrying`);
      setTimeout(() => void startWatch(path), 2000);
    }
  };
  try {
    const vpcId = await resolveVpcId(rt);
    for (const path of WATCHED) await startWatch(path);
    const resyncMs = opts.resyncMs ?? 5 * 60_000;
    // Per group: when to run it again (a pending certificate, a failure) and its failures in a row.
    const due = new Map<string, { at: number; failures: number }>();
    let nextResync = Date.now() + resyncMs;
    let passFailures = 0;
    // In memory on purpose: an optimization only. A new process verifies every group on its first pass.
    const verifiedAt = new Map<string, number>();
    const verifyMs = opts.verifyMs ?? 30 * 60_000;
    const verify = (group: string) => {
      const last = verifiedAt.get(group);
      if (last !== undefined && Date.now() - last < verifyMs) return false;
      verifiedAt.set(group, Date.now());
      return true;
    };
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, ms));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
        stop.signal.addEventListener("abort", () => wake(), { once: true });
      });
    while (!stop.signal.aborted) {
      const nextDue = Math.min(nextResync, ...[...due.values()].map((d) => d.at));
      if (!isDirty() && nextDue > Date.now()) await sleep(nextDue - Date.now());
      if (stop.signal.aborted) break;
      const now = Date.now();
      if (now >= nextResync) {
        dirtyAll = true;
        nextResync = now + resyncMs;
      }
      for (const [group, d] of due) if (d.at <= now) dirtyGroups.add(group);
      if (!isDirty()) continue;
      // Events come in bursts (an apply of many objects): let them settle into one pass.
      await new Promise((r) => setTimeout(r, opts.debounceMs ?? 300));
      const scope = dirtyAll
        ? opts.groups
        : new Set([...dirtyGroups].filter((g) => !opts.groups || opts.groups.has(g)));
      dirtyAll = false;
      dirtyGroups.clear();
      let outcomes: ReconcileOutcome[];
      try {
        outcomes = await runPass(rt, vpcId, {
          ...(scope ? { groups: scope } : {}),
          verify,
          onOutcome: (o) => (o.applied.length || o.other?.length || o.error ? onOutcome(o) : undefined),
        });
        passFailures = 0;
      } catch (err) {
        // The API server or AWS could not be read at all: try the whole pass again, backing off.
        passFailures++;
        const backoff = Math.min(60_000, 1000 * 2 ** Math.min(passFailures, 6));
        log(`pass failed (${err instanceof Error ? err.message : String(err)}); retrying in ${backoff} ms`);
        dirtyAll = true;
        await sleep(backoff);
        continue;
      }
      opts.onPass?.(outcomes);
      for (const o of outcomes) {
        const d = o.disposition;
        if (d.action === "done" || d.action === "terminal") due.delete(o.group);
        else if (d.action === "requeue") due.set(o.group, { at: Date.now() + d.afterMs, failures: 0 });
        else {
          const failures = (due.get(o.group)?.failures ?? 0) + 1;
          due.set(o.group, { at: Date.now() + Math.min(60_000, 500 * 2 ** Math.min(failures, 7)), failures });
        }
      }
    }
    return 0;
  } finally {
    for (const w of watches.values()) w.abort();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    rt.close();
  }
}
