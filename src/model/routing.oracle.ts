// Model stage, tests only: two independent answers to "which backend gets this request?".
// - `routeBySpec` reads the Ingress objects as the Kubernetes spec describes matching (with the
//   precedence Gannet promises: exact host, then the longest path, Exact before Prefix at equal length).
// - `routeByAlb` evaluates a built listener as AWS documents ALB matching: rules by ascending priority,
//   all conditions of a rule, any value of a condition, `*`/`?` globs (hosts case-insensitive, against
//   the whole Host header: a glob never matches a Host header with a port).
// Property tests require both to agree.

import type { DesiredListener, RuleAction } from "./desired.ts";
import type { Ingress, IngressBackend } from "./kube-objects.ts";

/** A request: the Host header (any case, maybe with a port) and the path. */
export interface Request {
  readonly host: string;
  readonly path: string;
}

/** What answered: a backend as `<namespace>/<service>:<port>`, or a fixed status. */
export type Answer = string;

const backendKey = (namespace: string, b: IngressBackend | undefined): Answer =>
  b?.service ? `${namespace}/${b.service.name}:${b.service.port.number ?? b.service.port.name}` : "404";

function hostOf(request: Request): string {
  return request.host.toLowerCase().replace(/:\d+$/, "");
}

function pathMatches(path: string, pathType: string, requested: string): boolean {
  if (pathType === "Exact") return requested === path;
  if (pathType !== "Prefix") return false;
  const base = path.replace(/\/+$/, "");
  if (base === "") return true;
  // Element-wise: /foo matches /foo, /foo/ and /foo/bar, never /foobar.
  return requested === base || requested.startsWith(`${base}/`);
}

/** The backend the Kubernetes spec sends the request to, among Ingresses in group order. */
export function routeBySpec(members: readonly Ingress[], request: Request): Answer {
  const host = hostOf(request);
  let best: { rank: [number, number, number]; answer: Answer } | undefined;
  for (const ingress of members) {
    for (const rule of ingress.spec.rules ?? []) {
      const ruleHost = rule.host?.toLowerCase();
      const hostClass = ruleHost === undefined ? 2 : ruleHost === host ? 0 : undefined;
      if (hostClass === undefined) continue;
      for (const p of rule.http?.paths ?? []) {
        const path = p.path ?? "";
        if (!pathMatches(path, p.pathType, request.path)) continue;
        const length = p.pathType === "Prefix" ? path.replace(/\/+$/, "").length : path.length;
        const rank: [number, number, number] = [hostClass, -length, p.pathType === "Exact" ? 0 : 1];
        const better =
          !best ||
          rank[0] < best.rank[0] ||
          (rank[0] === best.rank[0] &&
            (rank[1] < best.rank[1] || (rank[1] === best.rank[1] && rank[2] < best.rank[2])));
        if (better) best = { rank, answer: backendKey(ingress.metadata.namespace, p.backend) };
      }
    }
  }
  if (best) return best.answer;
  const withDefault = members.find((m) => m.spec.defaultBackend);
  return withDefault ? backendKey(withDefault.metadata.namespace, withDefault.spec.defaultBackend) : "404";
}

function glob(pattern: string, flags: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`, flags);
}

function answerOf(actions: readonly RuleAction[]): Answer {
  const a = actions[0];
  if (a?.type === "forward") return a.targetGroups[0]?.targetGroup ?? "?";
  if (a?.type === "fixed-response") return a.statusCode;
  return a?.type ?? "?";
}

/** The backend an ALB listener built by Gannet sends the request to. */
export function routeByAlb(listener: DesiredListener, request: Request): Answer {
  // AWS: host-header values (globs) compare case-insensitively with the whole Host header, port
  // included; only RegexValues can match `example.com:8443`.
  const host = request.host;
  const rules = [...listener.rules].sort((a, b) => a.order - b.order);
  for (const rule of rules) {
    const matches = rule.conditions.every((c) => {
      if (c.field === "host-header") return c.values.some((v) => glob(v, "i").test(host));
      if (c.field === "path-pattern") return c.values.some((v) => glob(v, "").test(request.path));
      return false;
    });
    if (matches) return answerOf(rule.actions);
  }
  return answerOf(listener.defaultActions);
}
