// Observe stage: what AWS holds for the cluster and for one group, found by ownership tags only.

import type { AcmPort } from "../aws/acm.ts";
import type { Ec2Port } from "../aws/ec2.ts";
import type { Elbv2Port } from "../aws/elbv2.ts";
import type { Route53Port } from "../aws/route53.ts";
import type { Wafv2Port } from "../aws/wafv2.ts";
import type { DesiredGroup } from "../model/desired.ts";
import type { HostedZone } from "../model/dns/dns-records.ts";
import type { Subnet } from "../model/load-balancer/subnets.ts";
import { isOwnedBy, isOwnedByCluster, type Owner, TAG } from "../model/ownership.ts";
import type { CertificateSummary } from "../model/tls/certificates.ts";
import type {
  LoadBalancerSummary,
  ObservedGroup,
  ObservedSecurityGroup,
  TargetGroupSummary,
} from "../types/alb.ts";
import type { ObservedRecordSet } from "../types/dns.ts";
import { observeBackendRules } from "./observe-backend-rules.ts";

/** The AWS ports observe and apply use. */
export interface AwsPorts {
  readonly elbv2: Elbv2Port;
  readonly ec2: Ec2Port;
  readonly acm: AcmPort;
  readonly route53: Route53Port;
  readonly wafv2: Wafv2Port;
}

/** Route53 state shared by the groups of one pass: zones, and each zone's records read on demand. */
export interface DnsInventory {
  readonly zones: readonly HostedZone[];
  readonly recordSets: Map<string, Promise<ObservedRecordSet[]>>;
}

/**
 * The cluster's tagged ALBs and target groups, and the ELB subnets, read once per pass and shared by
 * the groups of that pass. What apply creates and deletes is recorded (`rememberApplied`), so it stays true within a pass.
 */
export interface ClusterInventory {
  readonly cluster: string;
  readonly loadBalancers: LoadBalancerSummary[];
  readonly targetGroups: TargetGroupSummary[];
  readonly securityGroups: ObservedSecurityGroup[];
  readonly subnets: readonly Subnet[];
  /** Every certificate of the region (discovery needs other owners' too). */
  readonly certificates: readonly CertificateSummary[];
  readonly dns: DnsInventory;
  /**
   * Every ALB of the region when the pass began, any owner: what still exists. A record aliased to an
   * ALB that is gone, or a certificate InUseBy naming one, holds nothing any more.
   */
  readonly liveLoadBalancers?: readonly { readonly arn: string; readonly dnsName: string }[];
  /** `security-groups` entries already resolved in this pass (see `lookUpSecurityGroups`). */
  readonly securityGroupLookups?: Map<string, Promise<readonly string[]>>;
}

/** Reads the cluster's inventory: about four calls, plus DescribeTags for ARNs not read recently. */
export async function observeCluster(
  ports: AwsPorts,
  cluster: string,
  vpcId: string | undefined,
): Promise<ClusterInventory> {
  const [loadBalancers, targetGroups, securityGroups, subnets, certificates, zones] = await Promise.all([
    ports.elbv2.listLoadBalancers(),
    ports.elbv2.listTargetGroups(),
    ports.ec2.listClusterSecurityGroups(cluster),
    ports.ec2.listElbSubnets(vpcId),
    ports.acm.listCertificates(),
    ports.route53.listHostedZones(),
  ]);
  return {
    cluster,
    loadBalancers: loadBalancers.filter((lb) => isOwnedByCluster(lb.tags, cluster)),
    liveLoadBalancers: loadBalancers.map((lb) => ({ arn: lb.arn, dnsName: lb.dnsName })),
    targetGroups: targetGroups.filter((tg) => isOwnedByCluster(tg.tags, cluster)),
    securityGroups: securityGroups.filter((sg) => isOwnedByCluster(sg.tags, cluster)),
    subnets,
    certificates,
    dns: { zones, recordSets: new Map() },
    securityGroupLookups: new Map(),
  };
}

/**
 * What each `security-groups` entry names in the VPC, read once per pass whatever the number of groups
 * naming it (so a deleted group or a moved Name tag is noticed on the next pass, at one call per pass).
 */
export async function lookUpSecurityGroups(
  ports: AwsPorts,
  inventory: ClusterInventory,
  vpcId: string,
  entries: readonly string[],
): Promise<Map<string, readonly string[]>> {
  const cache = inventory.securityGroupLookups ?? new Map<string, Promise<readonly string[]>>();
  const missing = entries.filter((e) => !cache.has(e));
  if (missing.length > 0) {
    const found = ports.ec2.findSecurityGroups(vpcId, missing);
    for (const e of missing)
      cache.set(
        e,
        found.then((m) => m.get(e) ?? []),
      );
    // A failed read is not cached: the next group (or pass) asks again.
    found.catch(() => {
      for (const e of missing) cache.delete(e);
    });
  }
  return new Map(await Promise.all(entries.map(async (e) => [e, await (cache.get(e) ?? [])] as const)));
}

/** Group keys that own something in the inventory (for `gc` and deletion after an uninstall). */
export function groupsInInventory(inventory: ClusterInventory): string[] {
  const keys = new Set<string>();
  for (const r of [...inventory.loadBalancers, ...inventory.targetGroups]) {
    const g = r.tags[TAG.group];
    if (g) keys.add(g);
  }
  return [...keys].sort();
}

/**
 * Reads one group's ALBs (with listeners and rules), target groups (with targets) and security groups.
 * Attributes, the web ACL and backend rules are read only where `desired` states them (or, for backend
 * rules, where the group still has a backend security group to clean up): a group without them pays nothing.
 */
export async function observeGroup(
  ports: AwsPorts,
  inventory: ClusterInventory,
  owner: Owner,
  wants?: { readonly desired: DesiredGroup; readonly vpcId: string },
): Promise<ObservedGroup> {
  const desired = wants?.desired;
  const owned = (tags: Record<string, string>) => isOwnedBy(tags, owner);
  const lbs = inventory.loadBalancers.filter((lb) => owned(lb.tags));
  const tgs = inventory.targetGroups.filter((tg) => owned(tg.tags));
  const mine = inventory.securityGroups.filter((sg) => owned(sg.tags));
  const isBackend = (sg: ObservedSecurityGroup) => sg.tags[TAG.resource] === "backend-security-group";
  const securityGroups = mine.filter((sg) => !isBackend(sg));
  const backendSecurityGroups = mine.filter(isBackend);
  const lbWants = desired?.loadBalancer;
  const listenerAttributes = new Set(
    (desired?.listeners ?? []).filter((l) => l.attributes).map((l) => l.port),
  );
  const tgAttributes = new Set((desired?.targetGroups ?? []).filter((t) => t.attributes).map((t) => t.key));
  const [loadBalancers, targetGroups, backend] = await Promise.all([
    Promise.all(
      lbs.map(async (lb) => {
        const listeners = await Promise.all(
          (await ports.elbv2.listListeners(lb.arn, owned)).map(async (l) =>
            l.owned && listenerAttributes.has(l.port)
              ? { ...l, attributes: await ports.elbv2.describeListenerAttributes(l.arn) }
              : l,
          ),
        );
        // Only the ALB the plan keeps (same name and scheme): a replaced one is deleted anyway.
        const kept = lb.name === lbWants?.name && lb.scheme === lbWants.scheme;
        const [attributes, webAcl] = await Promise.all([
          kept && lbWants.attributes ? ports.elbv2.describeLoadBalancerAttributes(lb.arn) : undefined,
          kept && lbWants.webAcl ? ports.wafv2.getWebAclForResource(lb.arn) : null,
        ]);
        return {
          ...lb,
          listeners,
          ...(attributes ? { attributes } : {}),
          ...(webAcl === null ? {} : { webAcl: webAcl === undefined ? {} : { arn: webAcl } }),
        };
      }),
    ),
    Promise.all(
      tgs.map(async (tg) => {
        const [targets, attributes] = await Promise.all([
          ports.elbv2.listTargets(tg.arn),
          tgAttributes.has(tg.key) ? ports.elbv2.describeTargetGroupAttributes(tg.arn) : undefined,
        ]);
        return { ...tg, targets, ...(attributes ? { attributes } : {}) };
      }),
    ),
    desired?.backendSecurityGroup || backendSecurityGroups.length > 0
      ? observeBackendRules(ports.ec2, {
          owner,
          vpcId: wants?.vpcId ?? "",
          targetIps: desired?.backendSecurityGroup
            ? [...new Set((desired.targetGroups ?? []).flatMap((t) => t.targets.map((x) => x.id)))].sort()
            : [],
        })
      : {},
  ]);
  return { loadBalancers, targetGroups, securityGroups, backendSecurityGroups, ...backend };
}
