// Model stage: the conditions of one rule, from a route's host and path plus its other conditions (for
// Ingress, a `conditions.<name>` annotation; see route-match.ts), within ALB's limits.
//
// - Hosts: RegexValues that mean what the Ingress spec says (one-label wildcards, any case, a port in
//   the Host header ignored; see alb-regex.ts). A regex longer than AWS accepts falls back to the glob
//   AWS LBC writes (documented in the README).
// - As in AWS LBC, host-header and path-pattern values of the other conditions join the route's host and
//   path values (a request matches any of them: a rule takes one condition of each); the other
//   conditions are added, so all must match. Globs and regexes cannot share a condition: host globs
//   are rewritten as equivalent regexes; path globs cannot be (their case rule would change), so
//   mixing them is a Problem, as in AWS LBC.
// - Quotas (ALB): at most 3 values per condition and 5 per rule, at most 5 wildcards per rule, at most one
//   http-request-method and one source-ip condition per rule.

import type { RuleCondition } from "../desired.ts";
import { hostGlobRegex, hostRegex } from "./alb-regex.ts";

/** ALB's limits on the conditions of one rule. */
export const RULE_QUOTAS = { valuesPerCondition: 3, valuesPerRule: 5, wildcardsPerRule: 5 } as const;

/** The path part of a rule: globs (Exact, Prefix, ImplementationSpecific) or regexes (use-regex-path-match). */
export type PathMatch = { readonly values: readonly string[] } | { readonly regexValues: readonly string[] };

/** Input of `buildRuleConditions`. */
export interface RuleConditionsInput {
  /** The Ingress rule's host, lowercased (`normalizeHost`); absent for a rule without host. */
  readonly host?: string;
  readonly path: PathMatch;
  /** Conditions from the backend's `conditions.<name>` annotation, in order. */
  readonly extra: readonly RuleCondition[];
}

/** The rule's conditions, or why ALB could not take them. */
export type RuleConditionsBuild =
  | { readonly ok: true; readonly conditions: RuleCondition[] }
  | { readonly ok: false; readonly message: string };

type Failure = { readonly ok: false; readonly message: string };
const fail = (message: string): Failure => ({ ok: false, message });

function hostCondition(
  host: string | undefined,
  extra: readonly RuleCondition[],
): RuleCondition | Failure | undefined {
  const globs = extra.flatMap((c) => (c.field === "host-header" ? c.values : []));
  const regexes = extra.flatMap((c) => (c.field === "host-header" ? (c.regexValues ?? []) : []));
  if (host === undefined && globs.length === 0 && regexes.length === 0) return undefined;
  const converted = [...(host === undefined ? [] : [hostRegex(host)]), ...globs.map(hostGlobRegex)];
  if (converted.every((r): r is string => r !== undefined)) {
    return { field: "host-header", values: [], regexValues: [...converted, ...regexes] };
  }
  if (regexes.length === 0)
    return { field: "host-header", values: [...(host === undefined ? [] : [host]), ...globs] };
  return fail(
    `host-header regexValues cannot be combined with host ${JSON.stringify(host ?? globs.join(","))}, whose regex form would be longer than 128 characters: use values (wildcards) instead`,
  );
}

function pathCondition(path: PathMatch, extra: readonly RuleCondition[]): RuleCondition | Failure {
  const globs = [
    ...("values" in path ? path.values : []),
    ...extra.flatMap((c) => (c.field === "path-pattern" ? c.values : [])),
  ];
  const regexes = [
    ...("regexValues" in path ? path.regexValues : []),
    ...extra.flatMap((c) => (c.field === "path-pattern" ? (c.regexValues ?? []) : [])),
  ];
  if (regexes.length === 0) return { field: "path-pattern", values: globs };
  if (globs.length === 0) return { field: "path-pattern", values: [], regexValues: regexes };
  // Unlike hosts, a path glob cannot be rewritten as a regex that keeps its meaning whatever AWS's
  // undocumented regex case rule is (path globs are case-sensitive): refuse, as AWS LBC does.
  return fail(
    "path-pattern regexValues cannot join the path's wildcard values in one condition: with regexValues, set use-regex-path-match and write the Ingress path as a regex (pathType ImplementationSpecific), or use values",
  );
}

function valueCount(c: RuleCondition): number {
  return c.values.length + ("regexValues" in c ? (c.regexValues?.length ?? 0) : 0);
}

function wildcardCount(c: RuleCondition): number {
  if (c.field !== "host-header" && c.field !== "path-pattern" && c.field !== "http-header") return 0;
  return c.values.reduce((n, v) => n + (v.match(/[*?]/g)?.length ?? 0), 0);
}

/** Why the conditions exceed an ALB quota, or undefined. */
export function checkRuleQuotas(conditions: readonly RuleCondition[]): string | undefined {
  for (const field of ["http-request-method", "source-ip"] as const) {
    if (conditions.filter((c) => c.field === field).length > 1) {
      return `a rule takes at most one ${field} condition: list all its values in one condition`;
    }
  }
  const crowded = conditions.find((c) => valueCount(c) > RULE_QUOTAS.valuesPerCondition);
  if (crowded) {
    return `the ${crowded.field} condition would have ${valueCount(crowded)} values (the Ingress path's and the annotation's together); ALB takes at most ${RULE_QUOTAS.valuesPerCondition} per condition: use fewer values or another path`;
  }
  const total = conditions.reduce((n, c) => n + valueCount(c), 0);
  if (total > RULE_QUOTAS.valuesPerRule) {
    return `the rule would have ${total} condition values (host and path included); ALB takes at most ${RULE_QUOTAS.valuesPerRule} per rule: use fewer values`;
  }
  const wildcards = conditions.reduce((n, c) => n + wildcardCount(c), 0);
  if (wildcards > RULE_QUOTAS.wildcardsPerRule) {
    return `the rule would have ${wildcards} wildcards (* and ?); ALB takes at most ${RULE_QUOTAS.wildcardsPerRule} per rule: use fewer`;
  }
  return undefined;
}

/** Builds a rule's conditions: host, path, then the annotation's other conditions in order. */
export function buildRuleConditions(input: RuleConditionsInput): RuleConditionsBuild {
  const host = hostCondition(input.host, input.extra);
  if (host && "ok" in host) return host;
  const path = pathCondition(input.path, input.extra);
  if ("ok" in path) return path;
  const others = input.extra.filter((c) => c.field !== "host-header" && c.field !== "path-pattern");
  const conditions = [...(host ? [host] : []), path, ...others];
  const quota = checkRuleQuotas(conditions);
  return quota ? fail(quota) : { ok: true, conditions };
}
