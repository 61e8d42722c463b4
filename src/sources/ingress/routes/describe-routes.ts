// Ingress front end: the members' routes (routes.ts) described for the ALB model: each with its ports,
// match, action and precedence; the default route; and the backends they forward to, with the target
// group settings chosen for each (target-group-choice.ts) and the pods behind it.
//
// A backend that cannot be served (missing, or its target group settings invalid) answers 503 and marks
// the route `fallback`, so the model keeps an existing rule as it is. Members left out for bad input keep
// their last good rules: their routes are described as retained (never created anew), and their target
// groups still follow the pods.

import type {
  BackendDescription,
  DefaultRouteDescription,
  RouteAction,
  RouteDescription,
  WeightedBackend,
} from "../../../model/description.ts";
import type { Problem } from "../../../model/desired.ts";
import type { EndpointSlice, Ingress, Service } from "../../../model/kube-objects.ts";
import { objectKey } from "../../../model/problems.ts";
import type { GroupMember } from "../settings/group-settings.ts";
import {
  buildTargets,
  type ForwardTarget,
  type ResolvedBackend,
  type RouteBackend,
  serviceUnavailable,
} from "./backends.ts";
import { type CollectedRoutes, collectRoutes, precedenceOf, type Route } from "./routes.ts";
import { type BackendRef, chooseTargetGroups, readServiceTags } from "./target-group-choice.ts";

/** Input of `describeRoutes`. */
export interface DescribeRoutesInput {
  /** Live members, in group order. */
  readonly live: readonly Ingress[];
  /** Joined members, in group order, with their listen ports. */
  readonly members: readonly GroupMember[];
  /** Live members left out for bad input. */
  readonly leftOut: readonly Ingress[];
  readonly services: readonly Service[];
  readonly endpointSlices: readonly EndpointSlice[];
  /** Every listener port of the group: a retained route may sit on any. */
  readonly listenerPorts: readonly number[];
  /** User tags of each live member (its `tags` annotation), for the target groups it chooses settings of. */
  readonly memberTags: ReadonlyMap<Ingress, Readonly<Record<string, string>>>;
}

/** The described routes (group order), default route, backends, and the Problems found. */
export interface RoutesDescribed {
  readonly routes: readonly RouteDescription[];
  readonly defaultRoute?: DefaultRouteDescription;
  readonly backends: readonly BackendDescription[];
  readonly problems: readonly Problem[];
}

/** Describes the routes of the joined members, and retains those of the members left out. */
export function describeRoutes(input: DescribeRoutesInput): RoutesDescribed {
  const { live, leftOut } = input;
  const memberIngresses = input.members.map((m) => m.ingress);
  const problems: Problem[] = [];
  const collected = collectRoutes(memberIngresses, input.services);
  problems.push(...collected.problems);
  const retained = collectRoutes(leftOut, input.services).routes.map((r) => ({
    ...r,
    retained: true as const,
  }));
  const refs = backendRefs(memberIngresses, collected);
  for (const r of retained)
    for (const backend of serviceBackendsOf(r.backend)) refs.push({ ingress: r.ingress, backend });
  const chosen = chooseTargetGroups(refs);
  problems.push(...chosen.problems.filter((p) => !leftOut.some((i) => objectKey(i) === p.ingress)));
  const usable = (b: ResolvedBackend) => chosen.choices.get(b.key)?.settings !== undefined;
  const actionOf = (backend: RouteBackend): RouteAction => {
    if (!backend.ok) return backend.action;
    if (backend.kind === "service") {
      return usable(backend)
        ? { type: "forward", backends: [{ backend: backend.key, weight: 1 }] }
        : serviceUnavailable(`Backend service ${objectKey(backend.service)} is misconfigured`);
    }
    const a = backend.action;
    if (a.type !== "forward") return a;
    // A member whose target group settings are invalid is left out (its Problem says so), like a missing one.
    const backends = a.targets.flatMap((t): WeightedBackend[] => {
      if ("targetGroupArn" in t) return [{ targetGroupArn: t.targetGroupArn, weight: t.weight }];
      return usable(t.backend) ? [{ backend: t.backend.key, weight: t.weight }] : [];
    });
    if (backends.length === 0) return serviceUnavailable(`Backend action ${backend.name} is misconfigured`);
    return a.stickiness
      ? { type: "forward", backends, stickiness: a.stickiness }
      : { type: "forward", backends };
  };
  // False when `actionOf` falls back to a 503 for a bad backend: an existing rule is then kept as is.
  const servable = (backend: RouteBackend): boolean => {
    if (!backend.ok) return false;
    if (backend.kind === "service") return usable(backend);
    const a = backend.action;
    return a.type !== "forward" || a.targets.some((t) => "targetGroupArn" in t || usable(t.backend));
  };

  const portsOf = new Map(input.members.map((m) => [m.ingress, m.listenPorts.map((p) => p.port)]));
  const describe = (route: Route & { retained?: true }): RouteDescription => ({
    source: route.source,
    // A retained route may sit on any listener: it only keeps what exists.
    ports: route.retained ? input.listenerPorts : (portsOf.get(route.ingress) ?? []),
    match: route.match,
    action: actionOf(route.backend),
    ...(servable(route.backend) ? {} : { fallback: true as const }),
    ...(route.transforms ? { transforms: route.transforms } : {}),
    precedence: precedenceOf(route.specificity),
    ...(route.retained ? { retained: true as const } : {}),
  });
  const backends = [...chosen.choices.values()].flatMap(({ ingress, backend, settings }) => {
    if (!settings) return [];
    const tagProblems: Problem[] = [];
    const serviceTags = readServiceTags(ingress, backend, tagProblems);
    const described: BackendDescription = {
      key: backend.key,
      targetGroup: settings,
      targets: buildTargets(backend.service, backend.servicePort, input.endpointSlices),
      tags: { ...(input.memberTags.get(ingress) ?? {}), ...serviceTags },
      problems: tagProblems,
    };
    return [described];
  });
  const d = collected.defaultRoute;
  return {
    // In group order, as if nobody were left out, so fixing a member moves no other rule.
    routes: [...collected.routes, ...retained]
      .sort((a, b) => live.indexOf(a.ingress) - live.indexOf(b.ingress))
      .map(describe),
    ...(d
      ? {
          defaultRoute: {
            source: d.source,
            ports: portsOf.get(d.ingress) ?? [],
            action: actionOf(d.backend),
          },
        }
      : {}),
    backends,
    problems,
  };
}

/** The Service ports a backend forwards to: itself, or the Service members of its forward action. */
function serviceBackendsOf(backend: RouteBackend): ResolvedBackend[] {
  if (!backend.ok) return [];
  if (backend.kind === "service") return [backend];
  if (backend.action.type !== "forward") return [];
  return backend.action.targets.flatMap((t: ForwardTarget) => ("backend" in t ? [t.backend] : []));
}

/** Resolved backends in group order: per member, its default backend first, then its routes. */
function backendRefs(members: readonly Ingress[], collected: CollectedRoutes): BackendRef[] {
  const refs: BackendRef[] = [];
  for (const ingress of members) {
    const d = collected.defaultRoute;
    if (d && d.ingress === ingress)
      for (const backend of serviceBackendsOf(d.backend)) refs.push({ ingress, backend });
    for (const r of collected.routes) {
      if (r.ingress === ingress)
        for (const backend of serviceBackendsOf(r.backend)) refs.push({ ingress, backend });
    }
  }
  return refs;
}
