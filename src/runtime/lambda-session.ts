// Runtime: what one Lambda invocation does while it holds the Lease: a first pass over the groups
// the event asks for, then a bounded watch window in which the group keys of every change (and of
// every group that asked to be run again: a pending certificate, a failure) go through the
// controller's work queue (de-duplicated, requeued after a delay, backed off on failure), each batch
// of ready keys taking one more pass, until the window closes or the Lease is lost.
// The watch starts before the first pass, so a change made during that pass is not missed.

import type { ChangeWatch, WatchedChange } from "../kube/change-watch.ts";
import type { ReconcileOutcome } from "../reconcile/outcome.ts";
import type { ReconcileDeps } from "../reconcile/reconcile-group.ts";
import { groupsOfFinalizers } from "../sources/ingress/groups/finalizers.ts";
import { groupKeyOf } from "../sources/ingress/groups/ingress-groups.ts";
import type { LambdaRequest } from "./lambda-event.ts";
import type { Logger } from "./log.ts";
import { type Runtime, runPass } from "./pass.ts";
import { WorkQueue } from "./work-queue.ts";

/** Everything a session needs, wired by the handler. */
export interface SessionInput {
  readonly rt: Runtime;
  readonly vpcId: string;
  readonly request: LambdaRequest;
  /** How long to watch after the first pass (0: no watch). */
  readonly watchMs: number;
  /** No pass starts after this time (the function's deadline minus the margin). */
  readonly lastPassBy: number;
  readonly startWatch: (onChange: (c: WatchedChange) => void) => Promise<ChangeWatch>;
  /** Runs a Kubernetes-facing call again with a fresh token when the API server answers 401. */
  readonly retryUnauthorized: <T>(fn: () => Promise<T>) => Promise<T>;
  readonly log: Logger;
  /** Where the reconciles' Kubernetes writes go (fenced by the Lease); `rt.kube` when absent. */
  readonly kube?: ReconcileDeps["kube"];
  /** Aborts once the Lease is lost: no pass starts after that. */
  readonly signal?: AbortSignal;
  readonly debounceMs?: number;
}

/** What a session did. */
export interface SessionResult {
  readonly outcomes: readonly ReconcileOutcome[];
  readonly passes: number;
  readonly errors: readonly string[];
}

// A failing group is tried again at most this many times in one invocation; the next one starts over.
const MAX_RETRIES = 3;
// The queue key of a change whose groups cannot be told (an IngressClass, a Service, a watch gap).
const EVERY_GROUP = "";

/** Runs the first pass and the watch window; never throws (errors are returned). */
export async function runSession(input: SessionInput): Promise<SessionResult> {
  const { rt, vpcId, request, log } = input;
  const scope = request.groups ? new Set(request.groups) : undefined;
  const outcomes: ReconcileOutcome[] = [];
  const errors: string[] = [];
  const queue = new WorkQueue();
  const debounceMs = input.debounceMs ?? 300;
  let passes = 0;

  // Changes come in bursts (an apply of many objects): a key waits a moment, so a burst makes one pass.
  const onChange = (c: WatchedChange) => {
    if (c.kind !== "Ingress") queue.addAfter(EVERY_GROUP, debounceMs);
    else
      for (const g of [groupKeyOf(c.ingress), ...groupsOfFinalizers(c.ingress)])
        queue.addAfter(g, debounceMs);
  };
  const pass = async (groups: ReadonlySet<string> | undefined, verify: boolean) => {
    const done = await input.retryUnauthorized(() =>
      runPass(rt, vpcId, {
        ...(groups ? { groups } : {}),
        verify,
        ...(input.kube ? { kube: input.kube } : {}),
        onOutcome: (o) => logOutcome(log, o),
      }),
    );
    passes++;
    outcomes.push(...done);
    log.info(
      {
        pass: passes,
        groups: done.length,
        changes: done.reduce((n, o) => n + o.applied.length + (o.other?.length ?? 0), 0),
      },
      "pass done",
    );
    for (const o of done) {
      const d = o.disposition;
      if (d.action === "requeue") queue.addAfter(o.group, d.afterMs);
      else if (d.action === "retry" && queue.failuresOf(o.group) < MAX_RETRIES) queue.addRateLimited(o.group);
      else if (d.action === "done") queue.forget(o.group);
    }
  };

  const watch =
    input.watchMs > 0
      ? await input.startWatch(onChange).catch((err: unknown) => {
          errors.push(`the watch window could not start: ${messageOf(err)}`);
          return undefined;
        })
      : undefined;
  const stop = () => queue.release();
  input.signal?.addEventListener("abort", stop);
  try {
    try {
      await pass(scope, request.mode !== "changed");
    } catch (err) {
      errors.push(`pass failed: ${messageOf(err)}`);
      return { outcomes, passes, errors };
    }
    const windowEnd = Math.min(Date.now() + (watch ? input.watchMs : 0), input.lastPassBy);
    while (!input.signal?.aborted) {
      const keys = await readyKeys(queue, windowEnd);
      if (keys.length === 0) {
        if (Date.now() >= windowEnd || input.signal?.aborted) break;
        continue;
      }
      // Out of time: what is left is the next invocation's (the fingerprints of unfinished groups are not written).
      if (Date.now() >= input.lastPassBy || input.signal?.aborted) break;
      const groups = keys.includes(EVERY_GROUP) ? scope : new Set(keys.filter((g) => !scope || scope.has(g)));
      try {
        if (groups?.size !== 0) await pass(groups, false);
      } catch (err) {
        errors.push(`pass failed: ${messageOf(err)}`);
      } finally {
        for (const k of keys) queue.done(k);
      }
    }
    return { outcomes, passes, errors };
  } finally {
    input.signal?.removeEventListener("abort", stop);
    queue.shutdown();
    watch?.stop();
  }
}

// Waits for a key until `until` (or until the queue is released), then takes every key ready with it.
async function readyKeys(queue: WorkQueue, until: number): Promise<string[]> {
  const timer = setTimeout(() => queue.release(), Math.max(0, until - Date.now()));
  try {
    const first = await queue.get();
    if (first === undefined) return [];
    const keys = [first];
    while (queue.depth > 0) {
      const k = await queue.get();
      if (k !== undefined) keys.push(k);
    }
    return keys;
  } finally {
    clearTimeout(timer);
  }
}

function logOutcome(log: Logger, o: ReconcileOutcome): void {
  const changes = o.applied.length + (o.other?.length ?? 0);
  if (changes === 0 && !o.error && o.disposition.action === "done") return;
  const fields = {
    group: o.group,
    changes,
    ...(o.hostname ? { hostname: o.hostname } : {}),
    ...(o.error ? { error: o.error } : {}),
    ...(o.disposition.action === "requeue" ? { pending: o.disposition.reason } : {}),
    problems: (o.problems ?? o.desired.problems).map((p) => `${p.ingress} ${p.field}: ${p.message}`),
    calls: o.calls,
  };
  if (o.error) log.error(fields, "group failed");
  else log.info(fields, "group reconciled");
}

/** An error's message, with its name when it has one. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
