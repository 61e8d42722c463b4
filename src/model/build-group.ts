// Model stage: one Ingress group → its desired ALB, security group, listeners, rules and target groups.
// Pure and deterministic: the same objects in any order give the same JSON.
//
// Scoping of bad input, from widest to narrowest:
// - halt: AWS is left unchanged for the group (no usable subnets; every member invalid; or an invalid
//   member was the only one to state a setting that shapes the ALB). See group-settings.ts.
// - member: the Ingress is left out of the group (invalid or conflicting load-balancer-wide annotation);
//   its routes are withdrawn, the other members converge.
// - rule: one path, backend, default backend or setting is skipped, answered with 503, or defaulted.

import { ANNOTATION } from "./annotation-registry.ts";
import { checkAnnotationNames } from "./annotation-warnings.ts";
import {
  type LoadBalancerSetting,
  type MemberAnnotations,
  readGroupAnnotations,
  readMemberAnnotations,
} from "./annotations.ts";
import type { ForwardTarget, ResolvedBackend, RouteBackend } from "./backends.ts";
import { serviceUnavailable } from "./backends.ts";
import type {
  DesiredGroup,
  DesiredSecurityGroup,
  GroupKey,
  Problem,
  RuleAction,
  TargetGroupTuple,
} from "./desired.ts";
import { type GroupSettings, mergeGroupSettings } from "./group-settings.ts";
import { groupKeyOf, sortGroupMembers } from "./ingress-groups.ts";
import type { EndpointSlice, Ingress, Service } from "./kube-objects.ts";
import { buildListeners } from "./listeners.ts";
import { buildLoadBalancerAddons } from "./load-balancer-addons.ts";
import { readMemberAddons } from "./member-addons.ts";
import {
  buildLoadBalancerName,
  buildOwnershipTags,
  buildSecurityGroupName,
  mergeUserTags,
  type Owner,
} from "./ownership.ts";
import {
  ANNOTATION_PREFIX,
  annotationField,
  compareStrings,
  createProblem,
  objectKey,
  sortProblems,
  sortRecord,
} from "./problems.ts";
import { collectRoutes } from "./routes.ts";
import { checkUnusedRuleAnnotations } from "./rule-annotations.ts";
import { fitRuleQuota } from "./rule-quota.ts";
import {
  buildBackendSecurityGroup,
  resolveSecurityGroups,
  type SecurityGroupLookup,
} from "./security-groups.ts";
import { applySslRedirect, readSslRedirect } from "./ssl-redirect.ts";
import { resolveSubnets, type Subnet } from "./subnets.ts";
import { type BackendRef, buildTargetGroups, chooseTargetGroups } from "./target-groups.ts";

/** The subnet shape, re-exported for the adapters that build `ClusterContext`. */
export type { Subnet } from "./subnets.ts";

/** What the model needs to know about the cluster and its VPC. */
export interface ClusterContext {
  readonly cluster: string;
  readonly vpcId: string;
  readonly subnets: readonly Subnet[];
}

/** The facts of a group's existing ALB that a held setting keeps. */
export interface CurrentLoadBalancer {
  readonly name: string;
  readonly scheme: string;
  readonly ipAddressType: string;
  readonly subnetIds: readonly string[];
  /** The CIDRs its managed security group admits. */
  readonly inboundCidrs: readonly string[];
}

/** Everything needed to build one group; `members` may include Ingresses being deleted. */
export interface GroupInput {
  readonly group: GroupKey;
  readonly members: readonly Ingress[];
  readonly services: readonly Service[];
  readonly endpointSlices: readonly EndpointSlice[];
  readonly context: ClusterContext;
  /**
   * Certificates for the HTTPS listeners, the default first: the `certificate-arn` ARNs of the members
   * and the ISSUED certificates chosen for their TLS hosts. Absent: only annotated ARNs are used. An
   * HTTPS listener with no certificate yet is left out (AWS refuses one): HTTP serves until one issues.
   */
  readonly certificateArns?: readonly string[];
  /**
   * The group's ALB as it is now, if it has one: a setting stated only by a member left out for bad
   * input keeps this value (its last good state) instead of a default that could flip the ALB.
   */
  readonly current?: CurrentLoadBalancer;
  /** Problems found placing the members (the join policy), reported with the model's. */
  readonly placementProblems?: readonly Problem[];
  /** Set when the group must be left unchanged in AWS for a reason found before the model (join policy). */
  readonly halt?: string;
  /**
   * What each `security-groups` entry of the members names in the VPC (see `securityGroupEntriesOf`).
   * Absent: IDs are taken as written and names cannot be resolved.
   */
  readonly securityGroupLookup?: SecurityGroupLookup;
}

/** Builds the desired state of one Ingress group. */
export function buildDesiredGroup(input: GroupInput): DesiredGroup {
  const { group, context } = input;
  const owner: Owner = { cluster: context.cluster, group };
  // Members being deleted contribute nothing; an Ingress of another group is not the caller's to pass.
  const live = sortGroupMembers(
    input.members.filter((m) => m.metadata.deletionTimestamp === undefined && groupKeyOf(m) === group),
  );
  if (live.length === 0) return { group, members: [], listeners: [], targetGroups: [], problems: [] };

  const annotated = live.map((ingress) => {
    const placement = readGroupAnnotations(ingress).problems;
    const annotations: MemberAnnotations =
      placement.length > 0
        ? { settings: {}, stated: [], tags: {}, problems: placement, invalid: true }
        : { ...readMemberAnnotations(ingress), addons: readMemberAddons(ingress) };
    return { ingress, annotations };
  });
  const merged = mergeGroupSettings(group, annotated);
  const problems: Problem[] = [...(input.placementProblems ?? []), ...merged.problems];
  const halted = (reason: string): DesiredGroup => ({
    group,
    members: live.map(objectKey),
    listeners: [],
    targetGroups: [],
    problems: sortProblems(problems),
    halt: { reason },
  });
  if (input.halt !== undefined) return halted(input.halt);
  if (merged.halt !== undefined) return halted(merged.halt);
  // Security group choices are not held from the ALB as it is: the group halts instead (never opens it).
  const unholdable = merged.held?.settings.some(
    (h) => h === "securityGroups" || h === "manageBackendSecurityGroupRules",
  );
  if (merged.held && (!input.current || unholdable)) return halted(merged.held.reason);

  const { members } = merged;
  const held = new Set(merged.held?.settings ?? []);
  const settings =
    input.current && held.size > 0 ? holdSettings(merged.settings, held, input.current) : merged.settings;
  const subnets =
    held.has("subnets") && input.current
      ? { ok: true as const, subnetIds: [...input.current.subnetIds] }
      : resolveSubnets({
          cluster: context.cluster,
          vpcId: context.vpcId,
          subnets: context.subnets,
          scheme: settings.scheme,
          ...(settings.subnets ? { named: settings.subnets } : {}),
        });
  if (!subnets.ok) {
    for (const { ingress } of members) {
      problems.push(
        createProblem({
          ingress: objectKey(ingress),
          field: annotationField(ANNOTATION.subnets),
          value: ingress.metadata.annotations?.[`${ANNOTATION_PREFIX}${ANNOTATION.subnets}`] ?? "",
          message: `${subnets.message}; AWS is left unchanged for group "${group}" until then`,
          scope: "member",
        }),
      );
    }
    return halted(`no usable subnets: ${subnets.message}`);
  }

  const memberIngresses = members.map((m) => m.ingress);
  const collected = collectRoutes(memberIngresses, input.services);
  problems.push(...collected.problems);
  // Members left out for bad input keep their last good rules: their routes are retained (never
  // created anew), and their target groups still follow the pods. Their own Warning says why.
  const leftOut = live.filter((i) => !memberIngresses.includes(i));
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
  const actionOf = (backend: RouteBackend): RuleAction => {
    if (!backend.ok) return backend.action;
    if (backend.kind === "service") {
      return usable(backend)
        ? { type: "forward", targetGroups: [{ targetGroup: backend.key, weight: 1 }] }
        : serviceUnavailable(`Backend service ${objectKey(backend.service)} is misconfigured`);
    }
    const a = backend.action;
    if (a.type !== "forward") return a;
    // A member whose target group settings are invalid is left out (its Problem says so), like a missing one.
    const targetGroups = a.targets.flatMap((t): TargetGroupTuple[] => {
      if ("targetGroupArn" in t) return [{ targetGroupArn: t.targetGroupArn, weight: t.weight }];
      return usable(t.backend) ? [{ targetGroup: t.backend.key, weight: t.weight }] : [];
    });
    if (targetGroups.length === 0)
      return serviceUnavailable(`Backend action ${backend.name} is misconfigured`);
    return a.stickiness
      ? { type: "forward", targetGroups, stickiness: a.stickiness }
      : { type: "forward", targetGroups };
  };
  // False when `actionOf` falls back to a 503 for a bad backend: an existing rule is then kept as is.
  const servable = (backend: RouteBackend): boolean => {
    if (!backend.ok) return false;
    if (backend.kind === "service") return usable(backend);
    const a = backend.action;
    return a.type !== "forward" || a.targets.some((t) => "targetGroupArn" in t || usable(t.backend));
  };
  const built = withCertificates(
    buildListeners({
      members,
      // In group order, as if nobody were left out, so fixing a member moves no other rule.
      routes: [...collected.routes, ...retained].sort(
        (a, b) => live.indexOf(a.ingress) - live.indexOf(b.ingress),
      ),
      ...(collected.defaultRoute ? { defaultRoute: collected.defaultRoute } : {}),
      settings,
      actionOf,
      servable,
    }),
    input.certificateArns ?? [],
  );
  problems.push(...built.problems);
  for (const ingress of memberIngresses) {
    problems.push(...checkAnnotationNames(ingress), ...checkUnusedRuleAnnotations(ingress));
  }
  const redirect = readSslRedirect(memberIngresses);
  problems.push(...redirect.problems);
  const quota = fitRuleQuota(applySslRedirect(built.listeners, redirect.port), live);
  problems.push(...quota.problems);
  const listeners = quota.listeners;
  const used = new Set<string>();
  for (const r of retained) for (const b of serviceBackendsOf(r.backend)) if (usable(b)) used.add(b.key);
  for (const l of listeners) {
    for (const action of [...l.defaultActions, ...l.rules.flatMap((r) => r.actions)]) {
      if (action.type !== "forward") continue;
      for (const t of action.targetGroups) if ("targetGroup" in t) used.add(t.targetGroup);
    }
  }
  const memberTags = new Map(annotated.map((m) => [objectKey(m.ingress), m.annotations.tags]));
  const tgs = buildTargetGroups({
    owner,
    choices: chosen.choices,
    used,
    endpointSlices: input.endpointSlices,
    memberTags,
  });
  problems.push(...tgs.problems);

  const userSecurityGroups = settings.securityGroups
    ? resolveSecurityGroups({
        entries: settings.securityGroups,
        lookup: input.securityGroupLookup,
        vpcId: context.vpcId,
        members: memberIngresses,
      })
    : undefined;
  if (userSecurityGroups && !userSecurityGroups.ok) problems.push(...userSecurityGroups.problems);
  const securityGroup: DesiredSecurityGroup = {
    name: buildSecurityGroupName(owner),
    description: `Gannet-managed security group for Ingress group ${group}`,
    ingress: listeners
      .flatMap((l) => settings.inboundCidrs.map((cidr) => ({ port: l.port, cidr })))
      .sort((a, b) => a.port - b.port || compareStrings(a.cidr, b.cidr)),
    tags: sortRecord(mergeUserTags(buildOwnershipTags(owner, "security-group"), settings.tags).tags),
  };
  const addons = buildLoadBalancerAddons(settings, listeners, members);
  problems.push(...addons.problems);
  return {
    group,
    members: memberIngresses.map(objectKey),
    loadBalancer: {
      name: settings.loadBalancerName ?? buildLoadBalancerName(owner, settings.scheme),
      scheme: settings.scheme,
      ipAddressType: settings.ipAddressType,
      subnetIds: subnets.subnetIds,
      tags: sortRecord(mergeUserTags(buildOwnershipTags(owner, "load-balancer"), settings.tags).tags),
      ...(userSecurityGroups?.ok ? { securityGroupIds: userSecurityGroups.ids } : {}),
      ...(userSecurityGroups && !userSecurityGroups.ok ? { keepSecurityGroups: true as const } : {}),
      ...addons.loadBalancer,
    },
    ...(userSecurityGroups ? {} : { securityGroup }),
    ...(settings.manageBackendSecurityGroupRules
      ? { backendSecurityGroup: buildBackendSecurityGroup(owner, settings.tags, memberIngresses) }
      : {}),
    listeners: addons.listeners,
    targetGroups: tgs.targetGroups,
    problems: sortProblems(problems),
  };
}

/** Gives HTTPS listeners the chosen certificates, leaving out those that have none yet. */
function withCertificates(
  built: ReturnType<typeof buildListeners>,
  chosen: readonly string[],
): ReturnType<typeof buildListeners> {
  const listeners = built.listeners
    .map((l) =>
      // The chosen list already holds the annotated ARNs (in member order) and the discovered ones.
      l.protocol === "HTTPS" && chosen.length ? { ...l, certificateArns: chosen } : l,
    )
    .filter((l) => l.protocol !== "HTTPS" || (l.certificateArns?.length ?? 0) > 0);
  return { ...built, listeners };
}

/** The Service ports a backend forwards to: itself, or the Service members of its forward action. */
function serviceBackendsOf(backend: RouteBackend): ResolvedBackend[] {
  if (!backend.ok) return [];
  if (backend.kind === "service") return [backend];
  if (backend.action.type !== "forward") return [];
  return backend.action.targets.flatMap((t: ForwardTarget) => ("backend" in t ? [t.backend] : []));
}

/** Resolved backends in group order: per member, its default backend first, then its routes. */
function backendRefs(members: readonly Ingress[], collected: ReturnType<typeof collectRoutes>): BackendRef[] {
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

/** Settings with the held ones taken from the ALB as it is now. */
function holdSettings(
  settings: GroupSettings,
  held: ReadonlySet<LoadBalancerSetting>,
  current: CurrentLoadBalancer,
): GroupSettings {
  const scheme = current.scheme === "internet-facing" ? "internet-facing" : "internal";
  const ipAddressType = current.ipAddressType === "dualstack" ? "dualstack" : "ipv4";
  return {
    ...settings,
    ...(held.has("scheme") ? { scheme } : {}),
    ...(held.has("ipAddressType") ? { ipAddressType } : {}),
    ...(held.has("inboundCidrs") && current.inboundCidrs.length > 0
      ? { inboundCidrs: current.inboundCidrs }
      : {}),
    // The name follows the scheme by default: holding either keeps the ALB's name.
    ...(held.has("loadBalancerName") || held.has("scheme") ? { loadBalancerName: current.name } : {}),
  };
}
