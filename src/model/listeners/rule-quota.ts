// Model stage: the ALB's quota of listener rules. AWS refuses a rule past "Rules per Application Load
// Balancer" (100 by default, default rules not counted), which would fail the whole group's apply on
// every pass. Instead the rules of the newest members (the group's seniority order) are left out, each with a
// Problem, so an older member never loses a rule to a newcomer and the rest of the group converges.

import type { DesiredListener, Problem } from "../desired.ts";
import { createProblem } from "../problems.ts";

/** AWS's default quota of rules per Application Load Balancer, default rules not counted. */
export const MAX_RULES_PER_LOAD_BALANCER = 100;

/**
 * Listeners whose rules fit the quota (renumbered), and a Problem per rule left out. `seniority` lists the
 * members' keys, oldest first.
 */
export function fitRuleQuota(
  listeners: readonly DesiredListener[],
  seniority: readonly string[],
  max: number = MAX_RULES_PER_LOAD_BALANCER,
): { listeners: DesiredListener[]; problems: Problem[] } {
  const all = listeners.flatMap((l) => l.rules.map((rule) => ({ port: l.port, rule })));
  if (all.length <= max) return { listeners: [...listeners], problems: [] };
  const rank = new Map(seniority.map((key, i) => [key, i]));
  // Newest member first, and within a member its least specific rules first (highest order).
  const candidates = [...all].sort((a, b) => {
    const ia = rank.get(a.rule.source.ingress);
    const ib = rank.get(b.rule.source.ingress);
    const bySeniority = ia !== undefined && ib !== undefined ? ib - ia : 0;
    return bySeniority || b.rule.order - a.rule.order;
  });
  const dropped = new Set(candidates.slice(0, all.length - max).map((c) => c.rule));
  const problems = [...dropped].map((rule) =>
    createProblem({
      ingress: rule.source.ingress,
      field: rule.source.field,
      value: "",
      message: `the group's ALB would need ${all.length} listener rules, more than AWS's quota of ${max} rules per Application Load Balancer; the rules of the newest Ingresses are left out, this one included: split the group (another group.name) or remove paths`,
      scope: "rule",
    }),
  );
  return {
    listeners: listeners.map((l) => ({
      ...l,
      rules: l.rules.filter((r) => !dropped.has(r)).map((r, order) => ({ ...r, order })),
    })),
    problems,
  };
}
