// Plan stage: desired vs observed for one Ingress group -> the ordered changes. Pure.
//
// Order matters to AWS: stale ALBs go first (they free listeners and target groups), then the
// security group, the ALB, target groups, listeners and rules; unused target groups and security
// groups go last, once nothing references them.

import type { DesiredGroup } from "../model/desired.ts";
import type { ObservedGroup } from "../observe/observed.ts";
import type { Change } from "./changes.ts";
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

  for (const t of tgs.unused)
    changes.push({ kind: "deleteTargetGroup", targetGroupArn: t.arn, name: t.name });
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
