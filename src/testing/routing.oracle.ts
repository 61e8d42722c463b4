// Tests only: two independent answers to "which backend gets this request?".
// - `routeBySpec` reads the Ingress objects as the Kubernetes spec describes matching: hosts compared
//   case-insensitively without the Host header's port, `*.foo.com` matching exactly one label; then the
//   precedence Gannet promises (exact host, wildcard host, no host; the longest path; Exact before
//   Prefix; at equal host and path a path narrowed by extra conditions first).
// - `routeByAlb` evaluates a built listener as AWS documents ALB matching (alb-match.oracle.ts): rules
//   by ascending priority, all conditions of a rule, any value of a condition.
// Property tests require both to agree, under every reading of AWS's undocumented regex rules.

import type { DesiredListener, RuleAction } from "../model/desired.ts";
import type { Ingress, IngressBackend } from "../model/kube-objects.ts";
import { type AlbRequest, conditionMatches, type RegexReading } from "./alb-match.oracle.ts";

/** A request: the Host header (any case, maybe with a port), the path, and optionally more. */
export type Request = AlbRequest;

/** What answered: a backend as `<namespace>/<service>:<port>`, or a fixed status. */
export type Answer = string;

/**
 * Extra conditions of a backend, as the test states them (not parsed from annotations): true when the
 * request meets them. Backends without extra conditions are absent.
 */
export type ExtraConditions = ReadonlyMap<string, (request: Request) => boolean>;

const backendKey = (namespace: string, b: IngressBackend | undefined): Answer =>
  b?.service ? `${namespace}/${b.service.name}:${b.service.port.number ?? b.service.port.name}` : "404";

/** The host part of a Host header, lowercased, without a port. */
function hostOf(request: Request): string {
  return request.host.toLowerCase().replace(/:\d+$/, "");
}

/** 0: exact host match, 1: wildcard match (one label), 2: rule without host; undefined: no match. */
function hostClassOf(ruleHost: string | undefined, host: string): 0 | 1 | 2 | undefined {
  if (ruleHost === undefined) return 2;
  const h = ruleHost.toLowerCase();
  if (!h.startsWith("*.")) return h === host ? 0 : undefined;
  const suffix = h.slice(1); // ".foo.com"
  const label = host.slice(0, host.length - suffix.length);
  return host.endsWith(suffix) && label !== "" && !label.includes(".") ? 1 : undefined;
}

function pathMatches(path: string, pathType: string, requested: string): boolean {
  if (pathType === "Exact") return requested === path;
  if (pathType !== "Prefix") return false;
  const base = path.replace(/\/+$/, "");
  if (base === "") return true;
  // Element-wise: /foo matches /foo, /foo/ and /foo/bar, never /foobar.
  return requested === base || requested.startsWith(`${base}/`);
}

function better(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
}

/** The backend the Kubernetes spec sends the request to, among Ingresses in group order. */
export function routeBySpec(
  members: readonly Ingress[],
  request: Request,
  extra: ExtraConditions = new Map(),
): Answer {
  const host = hostOf(request);
  let best: { rank: number[]; answer: Answer } | undefined;
  for (const ingress of members) {
    for (const rule of ingress.spec.rules ?? []) {
      const hostClass = hostClassOf(rule.host, host);
      if (hostClass === undefined) continue;
      for (const p of rule.http?.paths ?? []) {
        const path = p.path ?? "";
        if (!pathMatches(path, p.pathType, request.path)) continue;
        const answer = backendKey(ingress.metadata.namespace, p.backend);
        const condition = extra.get(answer);
        if (condition && !condition(request)) continue;
        const length = p.pathType === "Prefix" ? path.replace(/\/+$/, "").length : path.length;
        const rank = [hostClass, -length, p.pathType === "Exact" ? 0 : 1, condition ? 0 : 1];
        if (!best || better(rank, best.rank)) best = { rank, answer };
      }
    }
  }
  if (best) return best.answer;
  const withDefault = members.find((m) => m.spec.defaultBackend);
  return withDefault ? backendKey(withDefault.metadata.namespace, withDefault.spec.defaultBackend) : "404";
}

/** A forward's target groups as `key` (one) or `key*weight+key*weight` (several); else the status. */
export function answerOf(actions: readonly RuleAction[]): Answer {
  const a = actions[0];
  if (a?.type === "forward") {
    const names = a.targetGroups.map((t) => ("targetGroup" in t ? t.targetGroup : t.targetGroupArn));
    return a.targetGroups.length === 1
      ? (names[0] ?? "?")
      : a.targetGroups.map((t, i) => `${names[i]}*${t.weight}`).join("+");
  }
  if (a?.type === "fixed-response") return a.statusCode;
  return a?.type ?? "?";
}

/** The backend an ALB listener built by Gannet sends the request to. */
export function routeByAlb(listener: DesiredListener, request: Request, reading: RegexReading): Answer {
  const rules = [...listener.rules].sort((a, b) => a.order - b.order);
  const hit = rules.find((rule) => rule.conditions.every((c) => conditionMatches(c, request, reading)));
  return answerOf(hit ? hit.actions : listener.defaultActions);
}
