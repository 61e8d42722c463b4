// Plan stage: listener rules of one listener. Pure.
//
// Desired rules arrive ranked by `order`; priorities are the ranks packed into 1..50000, skipping
// priorities held by rules Gannet does not own (those are never touched). Observed rules are matched
// first by conditions, then by priority, so a changed backend or path is one ModifyRule and an
// added path is one CreateRule plus, at most, one batched reorder.

import type { DesiredRule } from "../model/desired.ts";
import type { ObservedRule } from "../types/alb.ts";
import type { Change } from "./changes.ts";
import { type ArnOfKey, actionsEqual, canonicalConditions, canonicalTransforms } from "./compare.ts";

/** The highest rule priority an ALB listener accepts. */
export const MAX_PRIORITY = 50_000;

/** Packs ranked rules into priorities 1..50000, skipping reserved ones. */
export function assignPriorities(count: number, reserved: ReadonlySet<number>): number[] {
  const out: number[] = [];
  let p = 1;
  for (let i = 0; i < count; i++) {
    while (reserved.has(p)) p++;
    out.push(p++);
  }
  return out;
}

interface Pair {
  readonly desired: DesiredRule;
  readonly priority: number;
  readonly observed: ObservedRule;
}

function matchRules(
  desired: readonly DesiredRule[],
  priorities: readonly number[],
  owned: readonly ObservedRule[],
): { pairs: Pair[]; creates: { desired: DesiredRule; priority: number }[]; deletes: ObservedRule[] } {
  const free = new Set(owned);
  const byConditions = new Map<string, ObservedRule[]>();
  for (const r of owned) {
    const key = canonicalConditions(r.conditions);
    byConditions.set(key, [...(byConditions.get(key) ?? []), r]);
  }
  const pairs: Pair[] = [];
  const unmatched: { desired: DesiredRule; priority: number }[] = [];
  desired.forEach((d, i) => {
    const priority = priorities[i] ?? 0;
    const candidates = (byConditions.get(canonicalConditions(d.conditions)) ?? []).filter((r) => free.has(r));
    // Among rules with the same conditions, prefer the one already at the right priority.
    const hit = candidates.find((r) => r.priority === priority) ?? candidates[0];
    if (hit) {
      free.delete(hit);
      pairs.push({ desired: d, priority, observed: hit });
    } else unmatched.push({ desired: d, priority });
  });
  const creates: { desired: DesiredRule; priority: number }[] = [];
  for (const u of unmatched) {
    const same = [...free].find((r) => r.priority === u.priority);
    if (same) {
      free.delete(same);
      pairs.push({ ...u, observed: same });
    } else creates.push(u);
  }
  return { pairs, creates, deletes: [...free] };
}

function planMoves(port: number, pairs: readonly Pair[], foreign: readonly ObservedRule[]): Change[] {
  const moves = pairs.filter((p) => p.observed.priority !== p.priority);
  if (moves.length === 0) return [];
  // Rules that stay put hold their own final priority; only a moving rule can hold another's target.
  const heldByMovers = new Set(moves.map((m) => m.observed.priority));
  const finals = moves.map((m) => ({ ruleArn: m.observed.arn, priority: m.priority }));
  // AWS takes a batch whose final state is consistent; emulators refuse a target that is held at call
  // time. Moving through free temporary priorities first works on both and costs one extra call.
  if (!moves.some((m) => heldByMovers.has(m.priority)))
    return [{ kind: "setRulePriorities", port, priorities: finals }];
  const taken = new Set([
    ...foreign.map((r) => r.priority),
    ...pairs.map((p) => p.observed.priority),
    ...pairs.map((p) => p.priority),
  ]);
  // Parked in the same relative order as their final places, so traffic between the two calls
  // still meets the more specific rule first.
  const free: number[] = [];
  for (let p = MAX_PRIORITY; free.length < moves.length; p--) if (!taken.has(p)) free.push(p);
  free.reverse();
  const byFinal = [...moves].sort((a, b) => a.priority - b.priority);
  const temps = byFinal.map((m, i) => ({ ruleArn: m.observed.arn, priority: free[i] ?? MAX_PRIORITY }));
  return [
    { kind: "setRulePriorities", port, priorities: temps },
    { kind: "setRulePriorities", port, priorities: finals },
  ];
}

/** Changes that make one listener's rules equal the desired ones: deletes, updates, reorders, creates. */
export function planListenerRules(
  port: number,
  desired: readonly DesiredRule[],
  observed: readonly ObservedRule[],
  arnOf: ArnOfKey,
): Change[] {
  const existing = new Set(observed.filter((r) => r.owned).map((r) => canonicalConditions(r.conditions)));
  // A kept rule with nothing to keep and no fallback is no rule at all (it takes no priority either).
  const ranked = [...desired]
    .filter((d) => !d.keepExisting || d.actions.length > 0 || existing.has(canonicalConditions(d.conditions)))
    .sort((a, b) => a.order - b.order);
  const foreign = observed.filter((r) => !r.owned);
  const priorities = assignPriorities(ranked.length, new Set(foreign.map((r) => r.priority)));
  const { pairs, creates, deletes } = matchRules(
    ranked,
    priorities,
    observed.filter((r) => r.owned),
  );
  const changes: Change[] = deletes.map((r) => ({
    kind: "deleteRule",
    ruleArn: r.arn,
    port,
    priority: r.priority,
  }));
  for (const p of pairs) {
    const sameConditions =
      canonicalConditions(p.desired.conditions) === canonicalConditions(p.observed.conditions);
    // Its last good state: a kept rule found by its conditions keeps its actions and transforms.
    if (sameConditions && p.desired.keepExisting) continue;
    const transforms = p.desired.transforms ?? [];
    const sameTransforms = canonicalTransforms(transforms) === canonicalTransforms(p.observed.transforms);
    if (!sameConditions || !sameTransforms || !actionsEqual(p.desired.actions, p.observed.actions, arnOf)) {
      changes.push({
        kind: "modifyRule",
        ruleArn: p.observed.arn,
        port,
        conditions: p.desired.conditions,
        actions: p.desired.actions,
        transforms,
        resetTransforms: transforms.length === 0 && (p.observed.transforms?.length ?? 0) > 0,
      });
    }
  }
  changes.push(...planMoves(port, pairs, foreign));
  for (const c of creates) {
    changes.push({
      kind: "createRule",
      port,
      priority: c.priority,
      conditions: c.desired.conditions,
      actions: c.desired.actions,
      transforms: c.desired.transforms ?? [],
    });
  }
  return changes;
}
