// Test support: how an ALB listener picks a rule, as AWS documents it, on rules read back from ELBv2:
// rules in ascending priority, a rule matches when all its conditions match, a condition when any of
// its values match (globs and regexes as in src/testing/alb-match.oracle.ts, every condition type). No rule
// matching: the default action.

import type { Action, Rule } from "@aws-sdk/client-elastic-load-balancing-v2";
import { fromSdkCondition } from "../../src/aws/elbv2-convert.ts";
import { type AlbRequest, conditionMatches, type RegexReading } from "../../src/testing/alb-match.oracle.ts";

export type { AlbRequest } from "../../src/testing/alb-match.oracle.ts";

function conditionsMatch(rule: Rule, request: AlbRequest, reading: RegexReading): boolean {
  return (rule.Conditions ?? []).every((c) => {
    const condition = fromSdkCondition(c);
    if (!condition) throw new Error(`the test evaluator does not know condition ${c.Field}`);
    return conditionMatches(condition, request, reading);
  });
}

/**
 * The actions the listener runs for a request: the first matching rule's, else the default rule's.
 * `reading` is how regex values apply (AWS does not document it; Gannet's regexes mean the same either way).
 */
export function evaluateListener(
  rules: readonly Rule[],
  request: AlbRequest,
  reading: RegexReading = "search",
): Action[] {
  const ordered = rules.filter((r) => !r.IsDefault).sort((a, b) => Number(a.Priority) - Number(b.Priority));
  const hit = ordered.find((r) => conditionsMatch(r, request, reading));
  const chosen = hit ?? rules.find((r) => r.IsDefault);
  return [...(chosen?.Actions ?? [])].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0));
}

/** The target groups a forward action sends to, with their weights (empty for other actions). */
export function forwardTargets(actions: readonly Action[]): { arn: string; weight: number }[] {
  const a = actions[0];
  if (a?.Type !== "forward") return [];
  const groups = a.ForwardConfig?.TargetGroups ?? [];
  if (groups.length === 0) return a.TargetGroupArn ? [{ arn: a.TargetGroupArn, weight: 1 }] : [];
  return groups.map((t) => ({ arn: t.TargetGroupArn ?? "", weight: t.Weight ?? 1 }));
}

/** The target group ARN a forward action sends to (its first target group). */
export function forwardTarget(actions: readonly Action[]): string | undefined {
  return forwardTargets(actions)[0]?.arn;
}

/**
 * The host a rule's host-header condition names: its glob value, or the Ingress host a Gannet host
 * regex spells (`^[aA][pP][pP]\.example…(:[0-9]+)?$` → `app.example…`, `[^.]+` → `*`).
 */
export function hostOfRule(rule: Rule): string | undefined {
  const c = rule.Conditions?.find((x) => x.Field === "host-header");
  const glob = c?.HostHeaderConfig?.Values?.[0] ?? c?.Values?.[0];
  if (glob) return glob;
  const regex = c?.HostHeaderConfig?.RegexValues?.[0];
  return regex
    ?.replace(/^\^/, "")
    .replace(/\(:\[0-9\]\+\)\?\$$/, "")
    .replace(/^\[\^\.\]\+/, "*")
    .replace(/\[([a-z])[A-Z]\]/g, "$1")
    .replace(/\\\./g, ".");
}
