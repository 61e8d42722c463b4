// Model stage: the group's listeners, one per listen port, each with its default action and its rules.
// Rules are ranked by the Ingress spec's precedence (routes.ts `compareSpecificity`), whatever the YAML
// or member order. As in AWS LBC, a member's rules go only to the listeners of its own listen ports. Within a listener a
// condition set routed twice keeps its first route; later ones are dropped with a Problem (scope "rule").

import type { RouteBackend } from "./backends.ts";
import type { DesiredListener, DesiredRule, Problem, RuleAction } from "./desired.ts";
import type { GroupMember, GroupSettings } from "./group-settings.ts";
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
  const serves = (ingress: { metadata: { namespace: string; name: string } }, port: number) =>
    listenersOf.get(objectKey(ingress))?.has(port) === true;

  const listeners = [...protocols.entries()]
    .sort(([a], [b]) => a - b)
    .map(([port, protocol]): DesiredListener => {
      const d = input.defaultRoute;
      const defaultActions = [d && serves(d.ingress, port) ? input.actionOf(d.backend) : NOT_FOUND_ACTION];
      const rules: DesiredRule[] = [];
      const routedBy = new Map<string, Route>();
      // Priorities follow the spec's precedence, not YAML or member order; ties keep group order.
      const ranked = [...input.routes].sort((a, b) => compareSpecificity(a.specificity, b.specificity));
      for (const route of ranked) {
        if (!serves(route.ingress, port)) continue;
        const identity = JSON.stringify(route.conditions);
        const first = routedBy.get(identity);
        if (first) {
          problems.push(
            createProblem({
              ingress: route.source.ingress,
              field: route.source.field,
              value: describeRoute(route),
              message: `duplicate host/path, already routed by ${first.source.ingress} ${first.source.field}; this path is dropped: remove one of them`,
              scope: "rule",
            }),
          );
          continue;
        }
        routedBy.set(identity, route);
        rules.push({
          order: rules.length,
          conditions: route.conditions,
          actions: [input.actionOf(route.backend)],
          ...(route.transforms ? { transforms: route.transforms } : {}),
          source: route.source,
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
