// Plan stage: desired vs observed for one Ingress group -> the ordered changes. Pure.
//
// Order matters to AWS: stale ALBs go first (they free listeners and target groups), then the
// security group, the ALB, target groups, listeners and rules; unused target groups and security
// groups go last, once nothing references them.

import type { DesiredGroup } from "../model/desired.ts";
import type { ObservedGroup, ObservedLoadBalancer } from "../observe/observed.ts";
import type { Change } from "./changes.ts";
import { canonicalConditions } from "./compare.ts";
import { planListeners, planLoadBalancer, planSecurityGroup, planTargetGroups } from "./resource-planners.ts";

/** The existing resources a plan builds on; apply adds what it creates. */
export interface Bindings {
  readonly securityGroupId?: string;
  readonly loadBalancerArn?: string;
  readonly targetGroupArns: Readonly<Record<string, string>>;
  readonly listenerArns: Readonly<Record<number, string>>;
}

/** A group's plan: ordered changes and the existing resources they refer to. */
export interface GroupPlan {
  readonly changes: readonly Change[];
  readonly bindings: Bindings;
}

/** The changes that make AWS match the desired group. No changes when they already match. */
export function planGroup(desired: DesiredGroup, observed: ObservedGroup): GroupPlan {
  if (desired.halt) return { changes: [], bindings: { targetGroupArns: {}, listenerArns: {} } };
  const lb = desired.loadBalancer;
  // The scheme cannot change in place: an ALB of the right name but another scheme is replaced.
  const keptLb = lb
    ? observed.loadBalancers.find((o) => o.name === lb.name && o.scheme === lb.scheme)
    : undefined;
  const keptSg = desired.securityGroup ? observed.securityGroups[0] : undefined;
  const changes: Change[] = [];

  for (const o of observed.loadBalancers) {
    if (o !== keptLb) changes.push({ kind: "deleteLoadBalancer", loadBalancerArn: o.arn, name: o.name });
  }
  changes.push(...planSecurityGroup(desired.securityGroup, keptSg));
  if (lb) changes.push(...planLoadBalancer(lb, keptLb, keptSg));

  const tgs = planTargetGroups(desired.targetGroups, observed.targetGroups);
  changes.push(...tgs.changes);
  const arnOf = (key: string) => tgs.kept.get(key)?.arn;
  if (lb) changes.push(...planListeners(desired.listeners, keptLb?.listeners ?? [], arnOf));

  // A kept rule (last good state of bad input) may still forward to a target group nothing else uses.
  const held = heldByKeptRules(desired, keptLb);
  for (const t of tgs.unused) {
    if (!held.has(t.arn)) changes.push({ kind: "deleteTargetGroup", targetGroupArn: t.arn, name: t.name });
  }
  for (const sg of observed.securityGroups) {
    if (sg !== keptSg) changes.push({ kind: "deleteSecurityGroup", securityGroupId: sg.id, name: sg.name });
  }
  const bindings: Bindings = {
    ...(keptSg ? { securityGroupId: keptSg.id } : {}),
    ...(keptLb ? { loadBalancerArn: keptLb.arn } : {}),
    targetGroupArns: Object.fromEntries([...tgs.kept].map(([k, t]) => [k, t.arn])),
    listenerArns: Object.fromEntries(
      (keptLb?.listeners ?? []).filter((l) => l.owned).map((l) => [l.port, l.arn]),
    ),
  };
  return { changes, bindings };
}

/** ARNs of the target groups that rules kept in their last good state forward to. */
function heldByKeptRules(desired: DesiredGroup, lb: ObservedLoadBalancer | undefined): Set<string> {
  const held = new Set<string>();
  for (const d of desired.listeners) {
    const kept = new Set(d.rules.filter((r) => r.keepExisting).map((r) => canonicalConditions(r.conditions)));
    if (kept.size === 0) continue;
    const o = lb?.listeners.find((l) => l.port === d.port && l.owned);
    for (const rule of o?.rules ?? []) {
      if (!rule.owned || !kept.has(canonicalConditions(rule.conditions))) continue;
      for (const a of rule.actions)
        if (a.type === "forward") for (const t of a.targetGroups) held.add(t.targetGroupArn);
    }
  }
  return held;
}
