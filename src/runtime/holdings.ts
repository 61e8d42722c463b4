// Runtime: reads what the cluster holds in AWS, group by group, for `gannet gc` and `gannet cost`.

import type { KubeSnapshot } from "../kube/kube-port.ts";
import { chooseZone, type HostedZone } from "../model/dns/dns-records.ts";
import { type ClusterInventory, observeCluster } from "../observe/observe-aws.ts";
import {
  aliasName,
  buildGroupHoldings,
  type GroupHoldings,
  type HeldRecord,
  heldRecordsOfZone,
  referencedGroups,
} from "../plan/orphans.ts";
import type { ObservedRecordSet } from "../types/dns.ts";
import { clusterSettings, type Runtime } from "./pass.ts";

/** Everything `gc` and `cost` decide from, read once. */
export interface ClusterHoldings {
  readonly snapshot: KubeSnapshot;
  readonly inventory: ClusterInventory;
  readonly groups: readonly GroupHoldings[];
  /** Our alias records, in every zone the DNS filters allow. */
  readonly records: readonly HeldRecord[];
  /** The zones read, and their record sets (for planning deletions). */
  readonly zones: readonly HostedZone[];
  readonly recordSets: ReadonlyMap<string, readonly ObservedRecordSet[]>;
  /** DNS names of every load balancer of the region, any owner. */
  readonly existingTargets: ReadonlySet<string>;
}

/**
 * Reads Kubernetes (every namespace: ownership is not namespaced), the cluster's AWS inventory, every
 * load balancer's name, and the record sets of the zones the DNS filters allow.
 */
export async function readHoldings(rt: Runtime, vpcId: string): Promise<ClusterHoldings> {
  const [snapshot, inventory] = await Promise.all([
    rt.kube.readSnapshot(),
    observeCluster(rt.aws, rt.settings.cluster, vpcId),
  ]);
  // Tags were just read by the inventory (cached): this costs one DescribeLoadBalancers per page.
  const all = await rt.aws.elbv2.listLoadBalancers();
  const { registry, dnsFilters } = clusterSettings(rt.settings, vpcId);
  const zones = inventory.dns.zones.filter(
    (z) => chooseZone(z.name, [z], { private: z.private, ...dnsFilters }) !== undefined,
  );
  const recordSets = new Map<string, readonly ObservedRecordSet[]>();
  for (const zone of zones) recordSets.set(zone.id, await rt.aws.route53.listRecordSets(zone.id));
  const records = zones.flatMap((z) => heldRecordsOfZone(z, recordSets.get(z.id) ?? [], registry));
  const groups = buildGroupHoldings({
    cluster: rt.settings.cluster,
    loadBalancers: inventory.loadBalancers,
    targetGroups: inventory.targetGroups,
    securityGroups: inventory.securityGroups,
    certificates: inventory.certificates,
    records,
    referenced: referencedGroups(snapshot.ingresses),
  });
  return {
    snapshot,
    inventory,
    groups,
    records,
    zones,
    recordSets,
    existingTargets: new Set(all.map((lb) => aliasName(lb.dnsName))),
  };
}
