// Runtime: what one Lambda invocation does while it holds the Lease: a first pass over the groups
// the event asks for, then a bounded watch window in which every change (and every group that asked
// to be run again: a pending certificate, a failure) gets another pass, until the window closes.
// The watch starts before the first pass, so a change made during that pass is not missed.

import type { ChangeWatch, WatchedChange } from "../kube/change-watch.ts";
import type { ReconcileOutcome } from "../reconcile/outcome.ts";
import { groupsOfFinalizers } from "../sources/ingress/groups/finalizers.ts";
import { groupKeyOf } from "../sources/ingress/groups/ingress-groups.ts";
import type { JsonLog } from "./json-log.ts";
import type { LambdaRequest } from "./lambda-event.ts";
import { type Runtime, runPass } from "./pass.ts";

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
  readonly log: JsonLog;
  readonly debounceMs?: number;
}

/** What a session did. */
export interface SessionResult {
  readonly outcomes: readonly ReconcileOutcome[];
  readonly passes: number;
  readonly errors: readonly string[];
}

const MAX_RETRIES = 3;

/** Runs the first pass and the watch window; never throws (errors are returned). */
export async function runSession(input: SessionInput): Promise<SessionResult> {
  const { rt, vpcId, request, log } = input;
  const scope = request.groups ? new Set(request.groups) : undefined;
  const outcomes: ReconcileOutcome[] = [];
  const errors: string[] = [];
  let passes = 0;
  let dirtyAll = false;
  const dirty = new Set<string>();
  const due = new Map<string, { at: number; tries: number }>();
  let wake: () => void = () => {};

  const onChange = (c: WatchedChange) => {
    if (c.kind === "Ingress")
      for (const g of [groupKeyOf(c.ingress), ...groupsOfFinalizers(c.ingress)]) dirty.add(g);
    else dirtyAll = true;
    wake();
  };
  const pass = async (groups: ReadonlySet<string> | undefined, verify: boolean) => {
    const done = await input.retryUnauthorized(() =>
      runPass(rt, vpcId, { ...(groups ? { groups } : {}), verify, onOutcome: (o) => logOutcome(log, o) }),
    );
    passes++;
    outcomes.push(...done);
    log.info("pass done", {
      pass: passes,
      groups: done.length,
      changes: done.reduce((n, o) => n + o.applied.length + (o.other?.length ?? 0), 0),
    });
    for (const o of done) {
      const d = o.disposition;
      const tries = due.get(o.group)?.tries ?? 0;
      if (d.action === "requeue") due.set(o.group, { at: Date.now() + d.afterMs, tries });
      else if (d.action === "retry" && tries < MAX_RETRIES)
        due.set(o.group, { at: Date.now() + 1000 * 2 ** tries, tries: tries + 1 });
      else due.delete(o.group);
    }
  };

  const watch =
    input.watchMs > 0
      ? await input.startWatch(onChange).catch((err: unknown) => {
          errors.push(`the watch window could not start: ${messageOf(err)}`);
          return undefined;
        })
      : undefined;
  try {
    try {
      await pass(scope, request.mode !== "changed");
    } catch (err) {
      errors.push(`pass failed: ${messageOf(err)}`);
      return { outcomes, passes, errors };
    }
    const windowEnd = Math.min(Date.now() + (watch ? input.watchMs : 0), input.lastPassBy);
    for (;;) {
      const now = Date.now();
      for (const [g, d] of due) {
        if (d.at > now) continue;
        dirty.add(g);
        due.delete(g);
      }
      if (!dirtyAll && dirty.size === 0) {
        if (now >= windowEnd) break;
        const next = Math.min(windowEnd, ...[...due.values()].map((d) => d.at));
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(0, next - now));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = () => {};
        continue;
      }
      // Out of time: what is left is the next invocation's (the fingerprints of unfinished groups are not written).
      if (now >= input.lastPassBy) break;
      // Changes come in bursts (an apply of many objects): let them settle into one pass.
      await new Promise((r) => setTimeout(r, input.debounceMs ?? 300));
      const groups = dirtyAll ? scope : new Set([...dirty].filter((g) => !scope || scope.has(g)));
      dirtyAll = false;
      dirty.clear();
      if (groups?.size === 0) continue;
      await pass(groups, false).catch((err: unknown) => errors.push(`pass failed: ${messageOf(err)}`));
    }
    return { outcomes, passes, errors };
  } finally {
    watch?.stop();
  }
}

function logOutcome(log: JsonLog, o: ReconcileOutcome): void {
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
  if (o.error) log.error("group failed", fields);
  else log.info("group reconciled", fields);
}

/** An error's message, with its name when it has one. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
