// Ingress front end: one Ingress group → its source-neutral description (description.ts), from which the
// ALB model is built. Everything Ingress-specific is decided here: the members' annotations and which
// member wins a setting (settings/), their routes, backends and target group settings (routes/), their
// TLS hosts and hostnames (hosts/), and the Problems found on the way.
//
// Scoping of bad input, from widest to narrowest:
// - halt: AWS is left unchanged for the group (every member invalid; or an invalid member was the only
//   one to state a setting that shapes the ALB: see group-settings.ts and `LoadBalancerDescription.held`).
// - member: the Ingress is left out of the group (invalid or conflicting load-balancer-wide annotation);
//   its routes are retained as they are in AWS, the other members converge.
// - rule: one path, backend, default backend or setting is skipped, answered with 503, or defaulted.

import type { GroupDescription } from "../../model/description.ts";
import type { GroupKey, Problem } from "../../model/desired.ts";
import type { EndpointSlice, Ingress, Service } from "../../model/kube-objects.ts";
import { objectKey } from "../../model/problems.ts";
import { checkAnnotationNames } from "./annotations/annotation-warnings.ts";
import {
  type MemberAnnotations,
  readGroupAnnotations,
  readMemberAnnotations,
} from "./annotations/annotations.ts";
import { checkUnusedRuleAnnotations } from "./annotations/rule-annotations.ts";
import { groupKeyOf, sortBySeniority, sortGroupMembers } from "./groups/ingress-groups.ts";
import { describeHostnames } from "./hosts/hostnames.ts";
import { describeTls } from "./hosts/tls-hosts.ts";
import { describeRoutes } from "./routes/describe-routes.ts";
import { describeLoadBalancer } from "./settings/describe-load-balancer.ts";
import { mergeGroupSettings } from "./settings/group-settings.ts";
import { readMemberAddons } from "./settings/member-addons.ts";
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

  const described = describeLoadBalancer(merged);
  const routes = describeRoutes({
    live,
    members,
    leftOut,
    services: input.services,
    endpointSlices: input.endpointSlices,
    listenerPorts: described.listeners.map((l) => l.port),
    memberTags: new Map(annotated.map((m) => [m.ingress, m.annotations.tags])),
  });
  const problems: Problem[] = [...routes.problems];
  for (const ingress of memberIngresses) {
    problems.push(...checkAnnotationNames(ingress), ...checkUnusedRuleAnnotations(ingress));
  }
  const redirect = readSslRedirect(memberIngresses);
  problems.push(...redirect.problems);
  return {
    ...base,
    ...described,
    routes: routes.routes,
    ...(routes.defaultRoute ? { defaultRoute: routes.defaultRoute } : {}),
    backends: routes.backends,
    ...(redirect.port === undefined ? {} : { httpsRedirectPort: redirect.port }),
    ruleProblems: problems,
  };
}
