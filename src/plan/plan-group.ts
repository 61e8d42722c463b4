// Plan stage: desired vs observed for one Ingress group -> the ordered changes. Pure.
//
// Order matters to AWS: stale ALBs go first (they free listeners and target groups), then the
// security groups (and the backend rules, opened before targets register), the ALB, target groups,
// listeners and rules; stale backend rules, unused target groups and security groups go once nothing
// references them; the web ACL association comes last.

import type { DesiredGroup, Problem } from "../model/desired.ts";
import type { ObservedGroup, ObservedLoadBalancer, ObservedSecurityGroup } from "../types/alb.ts";
import { planLoadBalancerAttributes, planWebAcl } from "./addon-planners.ts";
import { planBackendRules } from "./backend-rules.ts";
import type { Change } from "./changes.ts";
import { canonicalConditions } from "./compare.ts";
import { planListeners, planLoadBalancer, planSecurityGroup, planTargetGroups } from "./resource-planners.ts";

/** The existing resources a plan builds on; apply adds what it creates. */
export interface Bindings {
  readonly securityGroupId?: string;
  readonly backendSecurityGroupId?: string;
  readonly loadBalancerArn?: string;
  readonly targetGroupArns: Readonly<Record<string, string>>;
  readonly listenerArns: Readonly<Record<number, string>>;
}

/** A group's plan: ordered changes, the existing resources they refer to, and what it cannot do. */
export interface GroupPlan {
  readonly changes: readonly Change[];
  readonly bindings: Bindings;
  /** What the observed state keeps the plan from doing (a target whose security group is unknown). */
  readonly problems?: readonly Problem[];
}

const NOTHING: GroupPlan = { changes: [], bindings: { targetGroupArns: {}, listenerArns: {} } };

/** The changes that make AWS match the desired group. No changes when they already match. */
export function planGroup(desired: DesiredGroup, observed: ObservedGroup): GroupPlan {
  if (desired.halt) return NOTHING;
  const lb = desired.loadBalancer;
  // The scheme cannot change in place: an ALB of the right name but another scheme is replaced.
  const keptLb = lb
    ? observed.loadBalancers.find((o) => o.name === lb.name && o.scheme === lb.scheme)
    : undefined;
  // Unresolved `security-groups`: a new ALB cannot be given any, so none is created until they resolve.
  if (lb?.keepSecurityGroups && !keptLb) return NOTHING;
  const keptSg = desired.securityGroup ? observed.securityGroups[0] : undefined;
  const backendSgs = observed.backendSecurityGroups ?? [];
  const keptBackend = desired.backendSecurityGroup ? backendSgs[0] : undefined;
  const changes: Change[] = [];

  for (const o of observed.loadBalancers) {
    if (o !== keptLb) changes.push({ kind: "deleteLoadBalancer", loadBalancerArn: o.arn, name: o.name });
  }
  changes.push(...planSecurityGroup(desired.securityGroup, keptSg));
  if (desired.backendSecurityGroup && !keptBackend)
    changes.push({ kind: "createBackendSecurityGroup", securityGroup: desired.backendSecurityGroup });
  const backend = planBackendRules(desired, observed, keptBackend);
  changes.push(...backend.authorize);
  const owned = new Set([...observed.securityGroups, ...backendSgs].map((sg) => sg.id));
  const wanted = wantedSecurityGroups(desired, keptSg, keptBackend);
  if (lb) {
    changes.push(...planLoadBalancer(lb, keptLb, securityGroupsDiffer(desired, keptLb, wanted, owned)));
    changes.push(...planLoadBalancerAttributes(lb, keptLb));
  }

  const tgs = planTargetGroups(desired.targetGroups, observed.targetGroups);
  changes.push(...tgs.changes);
  const arnOf = (key: string) => tgs.kept.get(key)?.arn;
  if (lb) changes.push(...planListeners(desired.listeners, keptLb?.listeners ?? [], arnOf));

  changes.push(...backend.revoke);
  // A kept rule (last good state of bad input) may still forward to a target group nothing else uses.
  const held = heldByKeptRules(desired, keptLb);
  for (const t of tgs.unused) {
    if (!held.has(t.arn)) changes.push({ kind: "deleteTargetGroup", targetGroupArn: t.arn, name: t.name });
  }
  // A group's security group still on the kept ALB afterwards stays (`keepSecurityGroups`, or named by ID).
  const attached = new Set(
    lb?.keepSecurityGroups ? (keptLb?.securityGroupIds ?? []) : wanted.filter((id) => id !== undefined),
  );
  for (const sg of [...observed.securityGroups, ...backendSgs]) {
    if (sg === keptSg || sg === keptBackend || attached.has(sg.id)) continue;
    changes.push({ kind: "deleteSecurityGroup", securityGroupId: sg.id, name: sg.name });
  }
  // Last: WAFv2 may not see a new ALB for a while, and a refused association must hold nothing back.
  if (lb) changes.push(...planWebAcl(lb, keptLb));
  const bindings: Bindings = {
    ...(keptSg ? { securityGroupId: keptSg.id } : {}),
    ...(keptBackend ? { backendSecurityGroupId: keptBackend.id } : {}),
    ...(keptLb ? { loadBalancerArn: keptLb.arn } : {}),
    targetGroupArns: Object.fromEntries([...tgs.kept].map(([k, t]) => [k, t.arn])),
    listenerArns: Object.fromEntries(
      (keptLb?.listeners ?? []).filter((l) => l.owned).map((l) => [l.port, l.arn]),
    ),
  };
  return backend.problems.length ? { changes, bindings, problems: backend.problems } : { changes, bindings };
}

/** The ALB's security groups as the plan wants them; undefined stands for one this plan creates. */
function wantedSecurityGroups(
  desired: DesiredGroup,
  keptSg: ObservedSecurityGroup | undefined,
  keptBackend: ObservedSecurityGroup | undefined,
): (string | undefined)[] {
  const front = desired.loadBalancer?.securityGroupIds ?? [keptSg?.id];
  return desired.backendSecurityGroup ? [...front, keptBackend?.id] : [...front];
}

/**
 * True when the kept ALB's security groups must be set. The user's groups are applied exactly; with the
 * managed group, a security group someone added by hand stays, but the group's own that are no longer
 * wanted (a backend group, a replaced managed group) go.
 */
function securityGroupsDiffer(
  desired: DesiredGroup,
  kept: ObservedLoadBalancer | undefined,
  wanted: readonly (string | undefined)[],
  owned: ReadonlySet<string>,
): boolean {
  if (!kept || desired.loadBalancer?.keepSecurityGroups) return false;
  const current = new Set(kept.securityGroupIds);
  if (!wanted.every((id) => id !== undefined && current.has(id))) return true;
  if (desired.loadBalancer?.securityGroupIds) return current.size !== new Set(wanted).size;
  return [...current].some((id) => owned.has(id) && !wanted.includes(id));
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
