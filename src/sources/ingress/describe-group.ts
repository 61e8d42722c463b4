// Ingress front end: one Ingress group → its source-neutral description (description.ts), from which the
// ALB model is built. Everything Ingress-specific is decided here: the members' annotations and which
// member wins a setting (group-settings.ts), their routes (routes.ts), backends and target group settings,
// and the Problems found on the way.
//
// Scoping of bad input, from widest to narrowest:
// - halt: AWS is left unchanged for the group (every member invalid; or an invalid member was the only
//   one to state a setting that shapes the ALB: see group-settings.ts and `LoadBalancerDescription.held`).
// - member: the Ingress is left out of the group (invalid or conflicting load-balancer-wide annotation);
//   its routes are retained as they are in AWS, the other members converge.
// - rule: one path, backend, default backend or setting is skipped, answered with 503, or defaulted.

import type {
  BackendDescription,
  GroupDescription,
  ListenerDescription,
  RouteAction,
  RouteDescription,
  StatedBy,
  WeightedBackend,
} from "../../model/description.ts";
import type { GroupKey, Problem } from "../../model/desired.ts";
import type { EndpointSlice, Ingress, Service } from "../../model/kube-objects.ts";
import { ANNOTATION_PREFIX, annotationField, objectKey } from "../../model/problems.ts";
import { checkAnnotationNames } from "./annotations/annotation-names.ts";
import {
  ANNOTATION,
  LISTENER_ATTRIBUTES_PREFIX,
  type MemberAnnotations,
  readGroupAnnotations,
  readMemberAnnotations,
} from "./annotations/annotations.ts";
import { checkUnusedRuleAnnotations } from "./annotations/rule-annotations.ts";
import { groupKeyOf, sortBySeniority, sortGroupMembers } from "./groups/ingress-groups.ts";
import { describeHostnames } from "./hosts/hostnames.ts";
import { describeTls } from "./hosts/tls-hosts.ts";
import type { ForwardTarget, ResolvedBackend, RouteBackend } from "./routes/backends.ts";
import { buildTargets, serviceUnavailable } from "./routes/backends.ts";
import { type CollectedRoutes, collectRoutes, precedenceOf, type Route } from "./routes/routes.ts";
import { type BackendRef, chooseTargetGroups, readServiceTags } from "./routes/target-group-choice.ts";
import { mergeGroupSettings } from "./settings/group-settings.ts";
import { parseListenerKey, readMemberAddons } from "./settings/member-addons.ts";
import { readSslRedirect } from "./settings/ssl-redirect.ts";

/** The Kubernetes objects of one Ingress group; `members` may include Ingresses being deleted. */
export interface IngressGroupInput {
  readonly group: GroupKey;
  readonly members: readonly Ingress[];
  readonly services: readonly Service[];
  readonly endpointSlices: readonly EndpointSlice[];
  /** Problems found placing the members (the join policy), reported with the others. */
  readonly placementProblems?: readonly Problem[];
  /** Set when the group must be left unchanged in AWS for a reason found before (join policy). */
  readonly halt?: string;
}

/** Describes one Ingress group for the ALB model. */
export function describeIngressGroup(input: IngressGroupInput): GroupDescription {
  const { group } = input;
  // Members being deleted contribute nothing; an Ingress of another group is not the caller's to pass.
  const live = sortGroupMembers(
    input.members.filter((m) => m.metadata.deletionTimestamp === undefined && groupKeyOf(m) === group),
  );
  const empty: GroupDescription = {
    group,
    members: [],
    leftOut: [],
    seniority: [],
    listeners: [],
    listenerAttributes: [],
    routes: [],
    backends: [],
    tls: [],
    hostnames: [],
    problems: [],
    ruleProblems: [],
  };
  if (live.length === 0) return empty;

  const annotated = live.map((ingress) => {
    const placement = readGroupAnnotations(ingress).problems;
    const annotations: MemberAnnotations =
      placement.length > 0
        ? { settings: {}, stated: [], tags: {}, problems: placement, invalid: true }
        : { ...readMemberAnnotations(ingress), addons: readMemberAddons(ingress) };
    return { ingress, annotations };
  });
  const merged = mergeGroupSettings(group, annotated);
  const members = merged.members;
  const memberIngresses = members.map((m) => m.ingress);
  const leftOut = live.filter((i) => !memberIngresses.includes(i));
  const base: GroupDescription = {
    ...empty,
    members: live.map(objectKey),
    leftOut: leftOut.map(objectKey),
    seniority: sortBySeniority(live).map(objectKey),
    problems: [...(input.placementProblems ?? []), ...merged.problems],
    // Every live member's hosts, those left out too: their rules, and so their hosts, are kept.
    tls: live.map((ingress) => {
      const arns = readMemberAnnotations(ingress).settings.certificateArns;
      return describeTls(ingress, arns?.length ? arns : undefined);
    }),
    hostnames: live.map(describeHostnames),
  };
  if (input.halt !== undefined) return { ...base, halt: input.halt };
  if (merged.halt !== undefined) return { ...base, halt: merged.halt };

  const problems: Problem[] = [];
  const collected = collectRoutes(memberIngresses, input.services);
  problems.push(...collected.problems);
  // Members left out for bad input keep their last good rules: their routes are retained (never
  // created anew), and their target groups still follow the pods. Their own Warning says why.
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

  // One listener per listen port; the first member in group order to state a port sets its protocol.
  const { settings } = merged;
  const protocols = new Map<number, "HTTP" | "HTTPS">();
  for (const m of members)
    for (const p of m.listenPorts) if (!protocols.has(p.port)) protocols.set(p.port, p.protocol);
  const listeners = [...protocols.entries()]
    .sort(([a], [b]) => a - b)
    .map(
      ([port, protocol]): ListenerDescription =>
        protocol === "HTTPS"
          ? {
              port,
              protocol,
              sslPolicy: settings.sslPolicy,
              ...(settings.certificateArns.length > 0 ? { certificateArns: settings.certificateArns } : {}),
            }
          : { port, protocol },
    );
  const portsOf = new Map(members.map((m) => [m.ingress, m.listenPorts.map((p) => p.port)]));
  const allPorts = listeners.map((l) => l.port);
  const describe = (route: Route & { retained?: true }): RouteDescription => ({
    source: route.source,
    // A retained route may sit on any listener: it only keeps what exists.
    ports: route.retained ? allPorts : (portsOf.get(route.ingress) ?? []),
    match: route.match,
    action: actionOf(route.backend),
    ...(servable(route.backend) ? {} : { fallback: true as const }),
    ...(route.transforms ? { transforms: route.transforms } : {}),
    precedence: precedenceOf(route.specificity),
    ...(route.retained ? { retained: true as const } : {}),
  });
  const d = collected.defaultRoute;

  for (const ingress of memberIngresses) {
    problems.push(...checkAnnotationNames(ingress), ...checkUnusedRuleAnnotations(ingress));
  }
  const redirect = readSslRedirect(memberIngresses);
  problems.push(...redirect.problems);
  const memberTags = new Map(annotated.map((m) => [m.ingress, m.annotations.tags]));
  const backends = [...chosen.choices.values()].flatMap(({ ingress, backend, settings: tg }) => {
    if (!tg) return [];
    const tagProblems: Problem[] = [];
    const serviceTags = readServiceTags(ingress, backend, tagProblems);
    const described: BackendDescription = {
      key: backend.key,
      targetGroup: tg,
      targets: buildTargets(backend.service, backend.servicePort, input.endpointSlices),
      tags: { ...(memberTags.get(ingress) ?? {}), ...serviceTags },
      problems: tagProblems,
    };
    return [described];
  });
  const stated = (name: string, all = false): StatedBy[] =>
    memberIngresses.flatMap((ingress) => {
      const value = ingress.metadata.annotations?.[`${ANNOTATION_PREFIX}${name}`];
      if (value === undefined && !all) return [];
      return [{ ingress: objectKey(ingress), field: annotationField(name), value: value ?? "" }];
    });
  // The backend security group's Problems name the first member that asks for it.
  const backendRulesBy =
    stated(ANNOTATION.manageBackendSecurityGroupRules)[0]?.ingress ??
    (memberIngresses[0] ? objectKey(memberIngresses[0]) : "");
  const waf = settings.wafv2AclArn;
  return {
    ...base,
    loadBalancer: {
      scheme: settings.scheme,
      ipAddressType: settings.ipAddressType,
      ...(settings.subnets ? { subnets: settings.subnets } : {}),
      subnetsStatedBy: stated(ANNOTATION.subnets, true),
      inboundCidrs: settings.inboundCidrs,
      ...(settings.loadBalancerName ? { name: settings.loadBalancerName } : {}),
      tags: settings.tags,
      ...(settings.securityGroups
        ? {
            securityGroups: {
              entries: settings.securityGroups,
              statedBy: stated(ANNOTATION.securityGroups),
            },
          }
        : {}),
      ...(settings.manageBackendSecurityGroupRules
        ? {
            backendSecurityGroup: {
              source: {
                ingress: backendRulesBy,
                field: annotationField(ANNOTATION.manageBackendSecurityGroupRules),
              },
            },
          }
        : {}),
      ...(settings.loadBalancerAttributes ? { attributes: settings.loadBalancerAttributes } : {}),
      ...(waf === undefined ? {} : { webAcl: waf === "none" ? { none: true as const } : { arn: waf } }),
      ...(merged.held ? { held: merged.held } : {}),
    },
    listeners,
    listenerAttributes: Object.entries(settings.listenerAttributes ?? {}).flatMap(([suffix, attributes]) => {
      const listener = parseListenerKey(suffix);
      return listener
        ? [{ ...listener, attributes, statedBy: stated(`${LISTENER_ATTRIBUTES_PREFIX}${suffix}`) }]
        : [];
    }),
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
    ...(redirect.port === undefined ? {} : { httpsRedirectPort: redirect.port }),
    ruleProblems: problems,
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
