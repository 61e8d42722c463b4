// Model stage: the group's listeners, one per listen port, each with its default action and its rules.
// Rules are ranked by the Ingress spec's precedence (routes.ts `compareSpecificity`), whatever the YAML
// or member order. As in AWS LBC, a member's rules go only to the listeners of its own listen ports. Within a listener a
// condition set routed twice goes to the older Ingress; the other route is dropped with a Problem (scope "rule").

import type { RouteBackend } from "./backends.ts";
import type { DesiredListener, DesiredRule, Problem, RuleAction } from "./desired.ts";
import type { GroupMember, GroupSettings } from "./group-settings.ts";
import { compareSeniority } from "./ingress-groups.ts";
import { createProblem, objectKey } from "./problems.ts";
import { compareSpecificity, type DefaultRoute, type Route } from "./routes.ts";

/** The default action of a listener when the group has no default backend for it. */
export const NOT_FOUND_ACTION: RuleAction = {
  type: "fixed-response",
  statusCode: "404",
  contentType: "text/plain",
};

/** Input of `buildListeners`. */
export interface BuildListenersInput {
  /** Joined members, in group order. */
  readonly members: readonly GroupMember[];
  readonly routes: readonly Route[];
  readonly defaultRoute?: DefaultRoute;
  readonly settings: GroupSettings;
  /** The action a route's backend turns into (forward, or a fixed 503). */
  readonly actionOf: (backend: RouteBackend) => RuleAction;
  /** False when `actionOf` answers with a fallback for a bad backend: the existing rule is then kept. */
  readonly servable: (backend: RouteBackend) => boolean;
}

/** Builds the listeners sorted by port, rules ordered 0..N-1 within each. */
export function buildListeners(input: BuildListenersInput): {
  listeners: DesiredListener[];
  problems: Problem[];
} {
  const problems: Problem[] = [];
  const protocols = new Map<number, "HTTP" | "HTTPS">();
  const listenersOf = new Map<string, Set<number>>();
  for (const m of input.members) {
    listenersOf.set(objectKey(m.ingress), new Set(m.listenPorts.map((p) => p.port)));
    for (const p of m.listenPorts) if (!protocols.has(p.port)) protocols.set(p.port, p.protocol);
  }
  // A retained route (of a member left out) may sit on any listener: it only keeps what exists.
  const serves = (route: { ingress: Route["ingress"]; retained?: true }, port: number) =>
    route.retained === true || listenersOf.get(objectKey(route.ingress))?.has(port) === true;

  const listeners = [...protocols.entries()]
    .sort(([a], [b]) => a - b)
    .map(([port, protocol]): DesiredListener => {
      const d = input.defaultRoute;
      const defaultActions = [d && serves(d, port) ? input.actionOf(d.backend) : NOT_FOUND_ACTION];
      const rules: DesiredRule[] = [];
      const served = input.routes.filter((r) => serves(r, port));
      const routedBy = claimRoutes(served);
      // Priorities follow the spec's precedence, not YAML or member order; ties keep group order.
      const ranked = [...served].sort((a, b) => compareSpecificity(a.specificity, b.specificity));
      for (const route of ranked) {
        const winner = routedBy.get(JSON.stringify(route.conditions));
        // A left-out member's route yields to any live claim, silently: its own Warning says why.
        if (winner && winner !== route && route.retained) continue;
        if (winner && winner !== route) {
          const same = winner.ingress === route.ingress;
          problems.push(
            createProblem({
              ingress: route.source.ingress,
              field: route.source.field,
              value: describeRoute(route),
              message: same
                ? `duplicate host/path, already routed by ${winner.source.field} of the same Ingress; this path is dropped: remove one of them`
                : `conflicts with ${winner.source.ingress} ${winner.source.field}, which routes the same host and path and wins as the older Ingress; this path is dropped: remove it, or use another host or path`,
              scope: "rule",
            }),
          );
          continue;
        }
        rules.push({
          order: rules.length,
          conditions: route.conditions,
          actions: route.retained ? [] : [input.actionOf(route.backend)],
          ...(route.transforms && !route.retained ? { transforms: route.transforms } : {}),
          source: route.source,
          ...(route.retained || !input.servable(route.backend) ? { keepExisting: true as const } : {}),
        });
      }
      const tls =
        protocol === "HTTPS"
          ? {
              sslPolicy: input.settings.sslPolicy,
              ...(input.settings.certificateArns.length > 0
                ? { certificateArns: input.settings.certificateArns }
                : {}),
            }
          : {};
      return { port, protocol, defaultActions, rules, ...tls };
    });
  return { listeners, problems };
}

/**
 * For each condition set routed more than once, the route that keeps it: the oldest Ingress's (see
 * `compareSeniority`), and within one Ingress its first path in rule order.
 */
function claimRoutes(routes: readonly Route[]): Map<string, Route> {
  const winners = new Map<string, Route>();
  for (const route of routes) {
    const identity = JSON.stringify(route.conditions);
    const held = winners.get(identity);
    const rank = (r: Route) => (r.retained ? 1 : 0);
    const better =
      !held ||
      rank(route) < rank(held) ||
      (rank(route) === rank(held) && compareSeniority(route.ingress, held.ingress) < 0);
    if (better) winners.set(identity, route);
  }
  return winners;
}

/** `host-header=<host> path-pattern=<patterns> …` of a route, for Problems (the host as the Ingress writes it). */
function describeRoute(route: Route): string {
  return route.conditions
    .map((c) => {
      if (c.field === "host-header" && route.host !== undefined) return `host-header=${route.host}`;
      const values = "regexValues" in c && c.regexValues ? c.regexValues : c.values;
      return `${c.field}=${values.map((v) => (typeof v === "string" ? v : v.value)).join(",")}`;
    })
    .join(" ");
}
