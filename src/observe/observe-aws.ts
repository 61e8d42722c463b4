// Observe stage: what AWS holds for the cluster and for one group, found by ownership tags only.

import type { AcmPort } from "../aws/acm.ts";
import type { Ec2Port } from "../aws/ec2.ts";
import type { Elbv2Port, LoadBalancerSummary, TargetGroupSummary } from "../aws/elbv2.ts";
import type { Route53Port } from "../aws/route53.ts";
import type { Subnet } from "../model/build-group.ts";
import type { CertificateSummary } from "../model/certificates.ts";
import { isOwnedBy, isOwnedByCluster, type Owner, TAG } from "../model/ownership.ts";
import type { DnsInventory } from "../reconcile/dns-stage.ts";
import type { ObservedGroup, ObservedSecurityGroup } from "./observed.ts";

/** The AWS ports observe and apply use. */
export interface AwsPorts {
  readonly elbv2: Elbv2Port;
  readonly ec2: Ec2Port;
  readonly acm: AcmPort;
  readonly route53: Route53Port;
}

/**
 * The cluster's tagged ALBs and target groups, and the ELB subnets, read once per pass and shared by
 * the groups of that pass. Apply records what it creates, so the inventory stays true within a pass.
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
    targetGroups: targetGroups.filter((tg) => isOwnedByCluster(tg.tags, cluster)),
    securityGroups: securityGroups.filter((sg) => isOwnedByCluster(sg.tags, cluster)),
    subnets,
    certificates,
    dns: { zones, recordSets: new Map() },
  };
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

/** Reads one group's ALBs (with listeners and rules), target groups (with targets) and security groups. */
export async function observeGroup(
  ports: AwsPorts,
  inventory: ClusterInventory,
  owner: Owner,
): Promise<ObservedGroup> {
  const owned = (tags: Record<string, string>) => isOwnedBy(tags, owner);
  const lbs = inventory.loadBalancers.filter((lb) => owned(lb.tags));
  const tgs = inventory.targetGroups.filter((tg) => owned(tg.tags));
  const securityGroups = inventory.securityGroups.filter((sg) => owned(sg.tags));
  const [loadBalancers, targetGroups] = await Promise.all([
    Promise.all(
      lbs.map(async (lb) => ({ ...lb, listeners: await ports.elbv2.listListeners(lb.arn, owned) })),
    ),
    Promise.all(tgs.map(async (tg) => ({ ...tg, targets: await ports.elbv2.listTargets(tg.arn) }))),
  ]);
  return { loadBalancers, targetGroups, securityGroups };
}
