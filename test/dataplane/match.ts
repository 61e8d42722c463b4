// Emulated ALB data plane, pure: how a listener picks a rule, from AWS's "Listener rules" and
// "Condition types for listener rules" pages (Application Load Balancers user guide) and the API
// reference (RuleCondition, HostHeaderConditionConfig, PathPatternConditionConfig, ...).
//  - Rules are evaluated in priority order, lowest first; the default rule last.
//  - A rule matches when all its conditions match (AND); a condition when any of its values matches (OR).
//  - Values: `*` matches 0 or more characters, `?` exactly one. Host names, HTTP header values and query
//    strings compare case-insensitively; paths and methods case-sensitively.
//  - RegexValues (host-header, path-pattern, http-header) are regular expressions searched in the value
//    (not anchored: AWS's own examples anchor with ^ and $ when they mean the whole value).

import { BlockList, isIPv4, isIPv6 } from "node:net";
import type { Rule, RuleCondition } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { AlbRequest } from "./model.ts";

/** A compiled condition: does this request satisfy it. */
export type Matcher = (request: AlbRequest) => boolean;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/**
 * A glob as ALB reads it: `*` any run of characters, `?` one character; with `escapes`, `\*` and `\?`
 * are the literal characters (query-string conditions).
 */
export function globToRegExp(glob: string, options: { caseInsensitive: boolean; escapes?: boolean }): RegExp {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? "";
    if (options.escapes && c === "\\" && (glob[i + 1] === "*" || glob[i + 1] === "?")) {
      out += escapeRegExp(glob[i + 1] ?? "");
      i++;
    } else if (c === "*") out += "[\\s\\S]*";
    else if (c === "?") out += "[\\s\\S]";
    else out += escapeRegExp(c);
  }
  return new RegExp(`^${out}$`, options.caseInsensitive ? "is" : "s");
}

/** The host name of a Host header value: without its port, brackets kept off IPv6 literals. */
export function hostName(hostHeader: string): string {
  if (hostHeader.startsWith("[")) return hostHeader.slice(1, Math.max(1, hostHeader.indexOf("]")));
  const colon = hostHeader.lastIndexOf(":");
  return colon >= 0 && /^\d*$/.test(hostHeader.slice(colon + 1)) ? hostHeader.slice(0, colon) : hostHeader;
}

function anyOf(values: readonly string[], compile: (v: string) => RegExp): (s: string) => boolean {
  const res = values.map(compile);
  return (s) => res.some((re) => re.test(s));
}

function regexes(values: readonly string[]): (s: string) => boolean {
  const res = values.map((v) => new RegExp(v));
  return (s) => res.some((re) => re.test(s));
}

function decodeQueryPart(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The key/value pairs of a raw query string, percent-decoded (a pair without `=` has an empty value). */
export function queryPairs(query: string): { key: string; value: string }[] {
  if (query === "") return [];
  return query.split("&").map((part) => {
    const eq = part.indexOf("=");
    return eq < 0
      ? { key: decodeQueryPart(part), value: "" }
      : { key: decodeQueryPart(part.slice(0, eq)), value: decodeQueryPart(part.slice(eq + 1)) };
  });
}

function sourceIpMatcher(cidrs: readonly string[]): Matcher {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [net = "", bits = ""] = cidr.split("/");
    const type = isIPv6(net) ? "ipv6" : "ipv4";
    list.addSubnet(net, Number(bits || (type === "ipv6" ? 128 : 32)), type);
  }
  return (r) => {
    const ip =
      r.sourceIp.startsWith("::ffff:") && isIPv4(r.sourceIp.slice(7)) ? r.sourceIp.slice(7) : r.sourceIp;
    return list.check(ip, isIPv6(ip) ? "ipv6" : "ipv4");
  };
}

function globs(values: readonly string[], caseInsensitive: boolean): (s: string) => boolean {
  return anyOf(values, (v) => globToRegExp(v, { caseInsensitive }));
}

/** Compiles one condition, from its `*Config` form or its legacy `Values` (AWS accepts either). */
export function compileCondition(c: RuleCondition): Matcher {
  switch (c.Field) {
    case "host-header": {
      const values = c.HostHeaderConfig?.Values ?? c.Values ?? [];
      const regexValues = c.HostHeaderConfig?.RegexValues ?? c.RegexValues ?? [];
      const byGlob = globs(values, true);
      const byRegex = regexes(regexValues);
      // Values compare with the host name; RegexValues "against the host header" as sent.
      return (r) => byGlob(hostName(r.host)) || byRegex(r.host);
    }
    case "path-pattern": {
      const byGlob = globs(c.PathPatternConfig?.Values ?? c.Values ?? [], false);
      const byRegex = regexes(c.PathPatternConfig?.RegexValues ?? c.RegexValues ?? []);
      return (r) => byGlob(r.path) || byRegex(r.path);
    }
    case "http-header": {
      const name = (c.HttpHeaderConfig?.HttpHeaderName ?? "").toLowerCase();
      const byGlob = globs(c.HttpHeaderConfig?.Values ?? c.Values ?? [], true);
      const byRegex = regexes(c.HttpHeaderConfig?.RegexValues ?? c.RegexValues ?? []);
      return (r) => (r.headers[name] ?? []).some((v) => byGlob(v) || byRegex(v));
    }
    case "http-request-method": {
      const methods = c.HttpRequestMethodConfig?.Values ?? c.Values ?? [];
      return (r) => methods.includes(r.method);
    }
    case "query-string": {
      const pairs = (c.QueryStringConfig?.Values ?? []).map((kv) => ({
        key:
          kv.Key === undefined
            ? undefined
            : globToRegExp(decodeQueryPart(kv.Key), { caseInsensitive: true, escapes: true }),
        value: globToRegExp(decodeQueryPart(kv.Value ?? ""), { caseInsensitive: true, escapes: true }),
      }));
      return (r) => {
        const got = queryPairs(r.query);
        return pairs.some((p) =>
          got.some((g) => (p.key === undefined || p.key.test(g.key)) && p.value.test(g.value)),
        );
      };
    }
    case "source-ip":
      return sourceIpMatcher(c.SourceIpConfig?.Values ?? c.Values ?? []);
    default:
      throw new Error(
        `unknown rule condition field ${JSON.stringify(c.Field)}: the data plane knows host-header, path-pattern, http-header, http-request-method, query-string and source-ip`,
      );
  }
}

/** A rule ready to evaluate: its conditions compiled. */
export interface CompiledRule {
  readonly rule: Rule;
  readonly priority: number;
  readonly matches: Matcher;
  /** Why the rule could not be compiled (it then matches nothing). */
  readonly error?: string;
}

/** Compiles a listener's rules into evaluation order: ascending priority, the default rule last. */
export function compileRules(rules: readonly Rule[]): CompiledRule[] {
  return rules
    .map((rule): CompiledRule => {
      const priority =
        rule.IsDefault || rule.Priority === "default" ? Number.POSITIVE_INFINITY : Number(rule.Priority);
      try {
        const matchers = (rule.Conditions ?? []).map(compileCondition);
        return { rule, priority, matches: (r: AlbRequest) => matchers.every((m) => m(r)) };
      } catch (err) {
        return { rule, priority, matches: () => false, error: (err as Error).message };
      }
    })
    .sort((a, b) => a.priority - b.priority);
}

/** The first rule whose conditions all match (the default rule has none, so it matches last). */
export function selectRule(rules: readonly CompiledRule[], request: AlbRequest): Rule | undefined {
  return rules.find((r) => r.matches(request))?.rule;
}
