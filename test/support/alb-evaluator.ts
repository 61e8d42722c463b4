// Test support: how an ALB listener picks a rule, as AWS documents it: rules in ascending priority,
// a rule matches when all its conditions match, a condition matches when any of its values match;
// host-header and path-pattern values are case-insensitive (host) / case-sensitive (path) globs with
// `*` (any characters) and `?` (one character). No rule matching: the default action.

import type { Action, Rule } from "@aws-sdk/client-elastic-load-balancing-v2";

/** A request as the listener sees it. */
export interface AlbRequest {
  readonly host: string;
  readonly path: string;
}

function globToRegExp(glob: string, flags: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`, flags);
}

function conditionMatches(rule: Rule, request: AlbRequest): boolean {
  return (rule.Conditions ?? []).every((c) => {
    if (c.Field === "host-header") {
      const values = c.HostHeaderConfig?.Values ?? c.Values ?? [];
      const host = request.host.toLowerCase();
      return values.some((v) => globToRegExp(v, "i").test(host));
    }
    if (c.Field === "path-pattern") {
      const values = c.PathPatternConfig?.Values ?? c.Values ?? [];
      return values.some((v) => globToRegExp(v, "").test(request.path));
    }
    throw new Error(`the test evaluator does not know condition ${c.Field}`);
  });
}

/** The actions the listener runs for a request: the first matching rule's, else the default rule's. */
export function evaluateListener(rules: readonly Rule[], request: AlbRequest): Action[] {
  const ordered = rules.filter((r) => !r.IsDefault).sort((a, b) => Number(a.Priority) - Number(b.Priority));
  const hit = ordered.find((r) => conditionMatches(r, request));
  const chosen = hit ?? rules.find((r) => r.IsDefault);
  return [...(chosen?.Actions ?? [])].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0));
}

/** The target group ARN a forward action sends to (single target group). */
export function forwardTarget(actions: readonly Action[]): string | undefined {
  const a = actions[0];
  if (a?.Type !== "forward") return undefined;
  return a.TargetGroupArn ?? a.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn;
}
