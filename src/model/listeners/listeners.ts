// Model stage: the group's listeners, one per described port, each with its default action and its rules.
// Rules are ranked by the routes' precedence (the front end's, e.g. the Ingress spec's), whatever the order
// the routes were written in. A route is served only on the listeners of its ports. Within a listener a
// condition set routed twice goes to the older member; the other route is dropped with a Problem (scope "rule").

import type {
  DefaultRouteDescription,
  ListenerDescription,
  RouteAction,
  RouteDescription,
} from "../description.ts";
import type { DesiredListener, DesiredRule, Problem, RuleAction, RuleCondition } from "../desired.ts";
import { createProblem } from "../problems.ts";
import { translateRouteMatch } from "./route-match.ts";

/** The default action of a listener when the group has no default backend for it. */
export const NOT_FOUND_ACTION: RuleAction = {
  type: "fixed-response",
  statusCode: "404",
  contentType: "text/plain",
};

/** Input of `buildListeners`. */
export interface BuildListenersInput {
  readonly listeners: readonly ListenerDescription[];
  /** In group order. */
  readonly routes: readonly RouteDescription[];
  readonly defaultRoute?: DefaultRouteDescription;
  /** Member keys, oldest first. */
  readonly seniority: readonly string[];
}

/** A described action as an ALB action; forwards name target groups by backend key. */
export function toRuleAction(action: RouteAction): RuleAction {
  if (action.type !== "forward") return action;
  const targetGroups = action.backends.map((b) =>
    "backend" in b
      ? { targetGroup: b.backend, weight: b.weight }
      : { targetGroupArn: b.targetGroupArn, weight: b.weight },
  );
  return action.stickiness
    ? { type: "forward", targetGroups, stickiness: action.stickiness }
    : { type: "forward", targetGroups };
}

interface TranslatedRoute {
  readonly route: RouteDescription;
  readonly conditions: readonly RuleCondition[];
}

/** Compares precedence tuples element by element, lower first. */
function comparePrecedence(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Builds the listeners sorted by port, rules ordered 0..N-1 within each. */
export function buildListeners(input: BuildListenersInput): {
  listeners: DesiredListener[];
  problems: Problem[];
} {
  const problems: Problem[] = [];
  const translated: TranslatedRoute[] = [];
  for (const route of input.routes) {
    const built = translateRouteMatch(route.match);
    if (built.ok) translated.push({ route, conditions: built.conditions });
    else {
      // Front ends check matches with the same translation; a route that slips through is skipped.
      problems.push(
        createProblem({
          ...route.source,
          value: route.match.path.value,
          message: `${built.message}; the route is skipped`,
          scope: "rule",
        }),
      );
    }
  }
  const rank = new Map(input.seniority.map((key, i) => [key, i]));
  const older = (a: string, b: string) =>
    a !== b && (rank.get(a) ?? Number.MAX_SAFE_INTEGER) < (rank.get(b) ?? Number.MAX_SAFE_INTEGER);

  const listeners = [...input.listeners]
    .sort((a, b) => a.port - b.port)
    .map((listener): DesiredListener => {
      const { port, protocol } = listener;
      const d = input.defaultRoute;
      const defaultActions = [d?.ports.includes(port) ? toRuleAction(d.action) : NOT_FOUND_ACTION];
      const rules: DesiredRule[] = [];
      const served = translated.filter((t) => t.route.ports.includes(port));
      const routedBy = claimRoutes(served, older);
      // Priorities follow the routes' precedence, not the order they were written in; ties keep group order.
      const ranked = [...served].sort((a, b) => comparePrecedence(a.route.precedence, b.route.precedence));
      for (const t of ranked) {
        const { route } = t;
        const winner = routedBy.get(JSON.stringify(t.conditions));
        // A left-out member's route yields to any live claim, silently: its own Warning says why.
        if (winner && winner !== t && route.retained) continue;
        if (winner && winner !== t) {
          const same = winner.route.source.ingress === route.source.ingress;
          problems.push(
            createProblem({
              ingress: route.source.ingress,
              field: route.source.field,
              value: describeRoute(t),
              message: same
                ? `duplicate host/path, already routed by ${winner.route.source.field} of the same Ingress; this path is dropped: remove one of them`
                : `conflicts with ${winner.route.source.ingress} ${winner.route.source.field}, which routes the same host and path and wins as the older Ingress; this path is dropped: remove it, or use another host or path`,
              scope: "rule",
            }),
          );
          continue;
        }
        rules.push({
          order: rules.length,
          conditions: t.conditions,
          actions: route.retained ? [] : [toRuleAction(route.action)],
          ...(route.transforms && !route.retained ? { transforms: route.transforms } : {}),
          source: route.source,
          ...(route.retained || route.fallback ? { keepExisting: true as const } : {}),
        });
      }
      const tls =
        protocol === "HTTPS"
          ? {
              ...(listener.sslPolicy === undefined ? {} : { sslPolicy: listener.sslPolicy }),
              ...(listener.certificateArns ? { certificateArns: listener.certificateArns } : {}),
            }
          : {};
      return { port, protocol, defaultActions, rules, ...tls };
    });
  return { listeners, problems };
}

/**
 * For each condition set routed more than once, the route that keeps it: the oldest member's, and
 * within one member its first route in group order. A retained route wins only when no live one claims it.
 */
function claimRoutes(
  routes: readonly TranslatedRoute[],
  older: (a: string, b: string) => boolean,
): Map<string, TranslatedRoute> {
  const winners = new Map<string, TranslatedRoute>();
  for (const t of routes) {
    const identity = JSON.stringify(t.conditions);
    const held = winners.get(identity);
    const rank = (r: TranslatedRoute) => (r.route.retained ? 1 : 0);
    const better =
      !held ||
      rank(t) < rank(held) ||
      (rank(t) === rank(held) && older(t.route.source.ingress, held.route.source.ingress));
    if (better) winners.set(identity, t);
  }
  return winners;
}

/** `host-header=<host> path-pattern=<patterns> …` of a route, for Problems (the host as described). */
function describeRoute(t: TranslatedRoute): string {
  const host = t.route.match.host;
  return t.conditions
    .map((c) => {
      if (c.field === "host-header" && host !== undefined) return `host-header=${host}`;
      const values = "regexValues" in c && c.regexValues ? c.regexValues : c.values;
      return `${c.field}=${values.map((v) => (typeof v === "string" ? v : v.value)).join(",")}`;
    })
    .join(" ");
}
