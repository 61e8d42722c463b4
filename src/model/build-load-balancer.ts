// Model stage: one group's description (description.ts) → its desired ALB, security groups, listeners,
// rules and target groups. Pure and deterministic; it never sees an Ingress or a Gateway, only what a
// front end described, so every source lands on the same ALB model, plan and apply.
//
// Scoping of bad input here, from widest to narrowest (the front end scopes its own):
// - halt: AWS is left unchanged for the group (the description halts; no usable subnets; or a held
//   setting with no ALB to hold it from).
// - rule: a route ALB cannot take or that conflicts with an older one is dropped; rules past the quota
//   are left out; security groups that cannot be resolved keep the ALB's current ones.

import type { GroupDescription, HeldSetting, LoadBalancerDescription } from "./description.ts";
import type { DesiredGroup, DesiredSecurityGroup } from "./desired.ts";
import { applySslRedirect } from "./listeners/https-redirect.ts";
import { buildListeners } from "./listeners/listeners.ts";
import { fitRuleQuota } from "./listeners/rule-quota.ts";
import { placeListenerAttributes } from "./load-balancer/load-balancer-addons.ts";
import {
  buildBackendSecurityGroup,
  resolveSecurityGroups,
  type SecurityGroupLookup,
} from "./load-balancer/security-groups.ts";
import { resolveSubnets, type Subnet } from "./load-balancer/subnets.ts";
import {
  buildLoadBalancerName,
  buildOwnershipTags,
  buildSecurityGroupName,
  mergeUserTags,
  type Owner,
} from "./ownership.ts";
import { compareStrings, createProblem, sortProblems, sortRecord } from "./problems.ts";
import { buildTargetGroups } from "./target-groups/target-groups.ts";

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

/** What the model reads besides the description: the cluster, and what was observed in AWS. */
export interface LoadBalancerModelInput {
  readonly context: ClusterContext;
  /**
   * Certificates for the HTTPS listeners, the default first: the ARNs the source names and the ISSUED
   * certificates chosen for its TLS hosts. Absent: only the named ARNs are used. An HTTPS listener with
   * no certificate yet is left out (AWS refuses one): HTTP serves until one issues.
   */
  readonly certificateArns?: readonly string[];
  /**
   * The group's ALB as it is now, if it has one: a held setting (see `LoadBalancerDescription.held`)
   * keeps this value (its last good state) instead of a default that could flip the ALB.
   */
  readonly current?: CurrentLoadBalancer;
  /** What each security group entry names in the VPC. Absent: IDs are taken as written, names fail. */
  readonly securityGroupLookup?: SecurityGroupLookup;
}

/** Builds the desired state of one group from its description. */
export function buildLoadBalancerModel(
  description: GroupDescription,
  input: LoadBalancerModelInput,
): DesiredGroup {
  const { group } = description;
  const { context } = input;
  const owner: Owner = { cluster: context.cluster, group };
  const problems = [...description.problems];
  const halted = (reason: string): DesiredGroup => ({
    group,
    members: [...description.members],
    listeners: [],
    targetGroups: [],
    problems: sortProblems(problems),
    halt: { reason },
  });
  if (description.halt !== undefined) return halted(description.halt);
  const described = description.loadBalancer;
  if (!described) return { group, members: [], listeners: [], targetGroups: [], problems: [] };
  const heldBy = described.held;
  // Security group choices are not held from the ALB as it is: the group halts instead (never opens it).
  const unholdable = heldBy?.settings.some(
    (h) => h === "securityGroups" || h === "manageBackendSecurityGroupRules",
  );
  if (heldBy && (!input.current || unholdable)) return halted(heldBy.reason);

  const held = new Set(heldBy?.settings ?? []);
  const lb = input.current && held.size > 0 ? holdSettings(described, held, input.current) : described;
  const subnets =
    held.has("subnets") && input.current
      ? { ok: true as const, subnetIds: [...input.current.subnetIds] }
      : resolveSubnets({
          cluster: context.cluster,
          vpcId: context.vpcId,
          subnets: context.subnets,
          scheme: lb.scheme,
          ...(lb.subnets ? { named: lb.subnets } : {}),
        });
  if (!subnets.ok) {
    for (const s of lb.subnetsStatedBy) {
      problems.push(
        createProblem({
          ...s,
          message: `${subnets.message}; AWS is left unchanged for group "${group}" until then`,
          scope: "member",
        }),
      );
    }
    return halted(`no usable subnets: ${subnets.message}`);
  }

  problems.push(...description.ruleProblems);
  const built = buildListeners({
    listeners: description.listeners,
    routes: description.routes,
    ...(description.defaultRoute ? { defaultRoute: description.defaultRoute } : {}),
    seniority: description.seniority,
  });
  problems.push(...built.problems);
  const withCertificates = built.listeners
    .map((l) =>
      // The chosen list already holds the named ARNs (in member order) and the discovered ones.
      l.protocol === "HTTPS" && input.certificateArns?.length
        ? { ...l, certificateArns: input.certificateArns }
        : l,
    )
    .filter((l) => l.protocol !== "HTTPS" || (l.certificateArns?.length ?? 0) > 0);
  const quota = fitRuleQuota(
    applySslRedirect(withCertificates, description.httpsRedirectPort),
    description.seniority,
  );
  problems.push(...quota.problems);
  const listeners = quota.listeners;
  // A retained route keeps its target groups following the pods, though its rule is only kept.
  const used = new Set<string>();
  for (const r of description.routes) {
    if (r.retained && r.action.type === "forward")
      for (const b of r.action.backends) if ("backend" in b) used.add(b.backend);
  }
  for (const l of listeners) {
    for (const action of [...l.defaultActions, ...l.rules.flatMap((r) => r.actions)]) {
      if (action.type !== "forward") continue;
      for (const t of action.targetGroups) if ("targetGroup" in t) used.add(t.targetGroup);
    }
  }
  const tgs = buildTargetGroups({ owner, backends: description.backends, used });
  problems.push(...tgs.problems);

  const userSecurityGroups = lb.securityGroups
    ? resolveSecurityGroups({
        entries: lb.securityGroups.entries,
        lookup: input.securityGroupLookup,
        vpcId: context.vpcId,
        statedBy: lb.securityGroups.statedBy,
      })
    : undefined;
  if (userSecurityGroups && !userSecurityGroups.ok) problems.push(...userSecurityGroups.problems);
  const securityGroup: DesiredSecurityGroup = {
    name: buildSecurityGroupName(owner),
    description: `Gannet-managed security group for Ingress group ${group}`,
    ingress: listeners
      .flatMap((l) => lb.inboundCidrs.map((cidr) => ({ port: l.port, cidr })))
      .sort((a, b) => a.port - b.port || compareStrings(a.cidr, b.cidr)),
    tags: sortRecord(mergeUserTags(buildOwnershipTags(owner, "security-group"), lb.tags).tags),
  };
  const placed = placeListenerAttributes(description.listenerAttributes, listeners, description.listeners);
  problems.push(...placed.problems);
  return {
    group,
    members: description.members.filter((m) => !description.leftOut.includes(m)),
    loadBalancer: {
      name: lb.name ?? buildLoadBalancerName(owner, lb.scheme),
      scheme: lb.scheme,
      ipAddressType: lb.ipAddressType,
      subnetIds: subnets.subnetIds,
      tags: sortRecord(mergeUserTags(buildOwnershipTags(owner, "load-balancer"), lb.tags).tags),
      ...(userSecurityGroups?.ok ? { securityGroupIds: userSecurityGroups.ids } : {}),
      ...(userSecurityGroups && !userSecurityGroups.ok ? { keepSecurityGroups: true as const } : {}),
      ...(lb.attributes ? { attributes: lb.attributes } : {}),
      ...(lb.webAcl ? { webAcl: lb.webAcl } : {}),
    },
    ...(userSecurityGroups ? {} : { securityGroup }),
    ...(lb.backendSecurityGroup
      ? { backendSecurityGroup: buildBackendSecurityGroup(owner, lb.tags, lb.backendSecurityGroup.source) }
      : {}),
    listeners: placed.listeners,
    targetGroups: tgs.targetGroups,
    problems: sortProblems(problems),
  };
}

/** The load balancer with the held settings taken from the ALB as it is now. */
function holdSettings(
  lb: LoadBalancerDescription,
  held: ReadonlySet<HeldSetting>,
  current: CurrentLoadBalancer,
): LoadBalancerDescription {
  const scheme = current.scheme === "internet-facing" ? "internet-facing" : "internal";
  const ipAddressType = current.ipAddressType === "dualstack" ? "dualstack" : "ipv4";
  return {
    ...lb,
    ...(held.has("scheme") ? { scheme } : {}),
    ...(held.has("ipAddressType") ? { ipAddressType } : {}),
    ...(held.has("inboundCidrs") && current.inboundCidrs.length > 0
      ? { inboundCidrs: current.inboundCidrs }
      : {}),
    // The name follows the scheme by default: holding either keeps the ALB's name.
    ...(held.has("loadBalancerName") || held.has("scheme") ? { name: current.name } : {}),
  };
}
