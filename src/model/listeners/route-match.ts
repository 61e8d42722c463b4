// Model stage: a described route's match (description.ts) as ALB rule conditions. The Ingress path
// kinds become ALB path patterns (Exact `/foo` → `/foo`; Prefix `/` → `/*`; Prefix `/foo` or `/foo/`
// → `/foo`, `/foo/*`), then rule-conditions.ts applies ALB's host regexes and quotas. Front ends call
// `translateRouteMatch` too, to report a match the load balancer cannot take at the field that states it.

import type { MatchCondition, PathMatch, RouteMatch, TextMatch } from "../description.ts";
import type { RuleCondition } from "../desired.ts";
import { checkAlbRegex, MAX_CONDITION_REGEX_LENGTH } from "./alb-regex.ts";
import { type PathMatch as AlbPathMatch, buildRuleConditions } from "./rule-conditions.ts";

const MAX_PATTERN_LENGTH = 128;
const PATTERN_CHARS = /^[A-Za-z0-9_\-.$/~"'@:+&*?]*$/;

/** A path match as ALB path-pattern values or regexValues, or what ALB refuses in it. */
export function translatePathMatch(
  path: PathMatch,
): { readonly ok: true; readonly match: AlbPathMatch } | { readonly ok: false; readonly message: string } {
  const p = path.value;
  if (path.kind === "regex") {
    const why = checkAlbRegex(p, MAX_CONDITION_REGEX_LENGTH);
    return why ? { ok: false, message: why } : { ok: true, match: { regexValues: [p] } };
  }
  let values: string[];
  if (path.kind !== "prefix") values = [p];
  else if (p === "/") values = ["/*"];
  else {
    const base = p.endsWith("/") ? p.slice(0, -1) : p;
    values = [base, `${base}/*`];
  }
  if (!PATTERN_CHARS.test(p)) {
    return { ok: false, message: `an ALB path pattern allows only letters, digits and _-.$/~"'@:+&*?` };
  }
  if (values.some((v) => v.length > MAX_PATTERN_LENGTH)) {
    return { ok: false, message: `an ALB path pattern is at most ${MAX_PATTERN_LENGTH} characters long` };
  }
  return { ok: true, match: { values } };
}

function textValues(match: TextMatch): { values: readonly string[]; regexValues?: readonly string[] } {
  return match.kind === "regex" ? { values: [], regexValues: match.values } : { values: match.values };
}

/** One described condition in ALB's `*Config` form. */
export function toRuleCondition(c: MatchCondition): RuleCondition {
  switch (c.kind) {
    case "host":
      return { field: "host-header", ...textValues(c.match) };
    case "path":
      return { field: "path-pattern", ...textValues(c.match) };
    case "header":
      return { field: "http-header", headerName: c.name, ...textValues(c.match) };
    case "method":
      return { field: "http-request-method", values: c.methods };
    case "query":
      return { field: "query-string", values: c.pairs };
    case "source-ip":
      return { field: "source-ip", values: c.cidrs };
  }
}

/** An ALB condition in the description's terms (the inverse of `toRuleCondition`). */
export function toMatchCondition(c: RuleCondition): MatchCondition {
  const text = (v: { values: readonly string[]; regexValues?: readonly string[] }): TextMatch =>
    v.regexValues?.length ? { kind: "regex", values: v.regexValues } : { kind: "wildcard", values: v.values };
  switch (c.field) {
    case "host-header":
      return { kind: "host", match: text(c) };
    case "path-pattern":
      return { kind: "path", match: text(c) };
    case "http-header":
      return { kind: "header", name: c.headerName, match: text(c) };
    case "http-request-method":
      return { kind: "method", methods: c.values };
    case "query-string":
      return { kind: "query", pairs: c.values };
    case "source-ip":
      return { kind: "source-ip", cidrs: c.values };
  }
}

/** The match's rule conditions, or which part ALB cannot take (`path` or the other `conditions`) and why. */
export type RouteMatchTranslation =
  | { readonly ok: true; readonly conditions: RuleCondition[] }
  | { readonly ok: false; readonly part: "path" | "conditions"; readonly message: string };

/** Translates a route's match into the conditions of one ALB rule: host, path, then the others in order. */
export function translateRouteMatch(match: RouteMatch): RouteMatchTranslation {
  const path = translatePathMatch(match.path);
  if (!path.ok) return { ok: false, part: "path", message: path.message };
  const built = buildRuleConditions({
    ...(match.host === undefined ? {} : { host: match.host }),
    path: path.match,
    extra: match.conditions.map(toRuleCondition),
  });
  return built.ok
    ? { ok: true, conditions: built.conditions }
    : { ok: false, part: "conditions", message: built.message };
}
