// Observe step of a group's reconcile: what AWS holds for the group, beyond what the pass listed. When
// the fingerprint on the group's ALB says AWS already holds the desired state, nothing more is read: an
// unchanged group costs no per-group AWS call. Otherwise its ALBs (listeners, rules), target groups
// (targets), security groups and the record sets of the hosted zones its names live in.

import type { DesiredGroup } from "../model/desired.ts";
import { chooseZone, type HostedZone } from "../model/dns/dns-records.ts";
import type { Ingress } from "../model/kube-objects.ts";
import { isOwnedBy, type Owner, TAG } from "../model/ownership.ts";
import type { CertificateChoice, CertificateSummary, ValidationRecord } from "../model/tls/certificates.ts";
import { hostsOfIngress } from "../sources/ingress/hosts/hostnames.ts";
import { EMPTY_OBSERVED_GROUP, type LoadBalancerSummary, type ObservedGroup } from "../types/alb.ts";
import type { ObservedRecordSet } from "../types/dns.ts";
import { type AwsPorts, type ClusterInventory, observeGroup } from "./observe-aws.ts";

/** What the reads of a group depend on: its desired state, as built. */
export interface GroupReadRequest {
  readonly owner: Owner;
  readonly alb: DesiredGroup;
  readonly fingerprint: string;
  /** True when a matching fingerprint covers all the group's work. */
  readonly fingerprinted: boolean;
  readonly live: readonly Ingress[];
  readonly leaving: readonly Ingress[];
  readonly certificates: CertificateChoice;
  readonly validation: readonly ValidationRecord[];
}

/** How a group is observed. */
export interface GroupReadOptions {
  readonly vpcId: string;
  readonly filters: { readonly domainFilters: readonly string[]; readonly zoneIdFilters: readonly string[] };
  /** Read everything even when the fingerprint matches (catches changes made outside Gannet). */
  readonly verify?: boolean;
}

/** What AWS holds for one group. */
export interface ObservedGroupState {
  /** The group's ALB the desired state keeps (same name and scheme), as the pass listed it. */
  readonly loadBalancer?: LoadBalancerSummary;
  /** True when its fingerprint says AWS holds the desired state: nothing else was read. */
  readonly converged: boolean;
  readonly alb: ObservedGroup;
  /** The record sets of each hosted zone the group's names may live in. */
  readonly recordSets: ReadonlyMap<string, readonly ObservedRecordSet[]>;
  /** Reads that failed (a zone's records): the plan leaves what they cover alone. */
  readonly readErrors: readonly unknown[];
  readonly zones: readonly HostedZone[];
  /** Every certificate of the region, as the pass listed it. */
  readonly certificates: readonly CertificateSummary[];
  /** Every ALB that exists (any owner), when the pass listed them all. */
  readonly existingLoadBalancers?: readonly { readonly arn: string; readonly dnsName: string }[];
  /** Addresses in the live members' status that no ALB has any more (deleted, or lost by AWS). */
  readonly lostAddresses?: ReadonlySet<string>;
}

/** Observes one group. */
export async function observeGroupState(
  ports: AwsPorts,
  inventory: ClusterInventory,
  request: GroupReadRequest,
  opts: GroupReadOptions,
): Promise<ObservedGroupState> {
  const wanted = request.alb.loadBalancer;
  const loadBalancer = wanted
    ? inventory.loadBalancers.find(
        (lb) => isOwnedBy(lb.tags, request.owner) && lb.name === wanted.name && lb.scheme === wanted.scheme,
      )
    : undefined;
  // What exists now: the region's ALBs at the pass's start, and those created since.
  const existing = inventory.liveLoadBalancers && [
    ...inventory.liveLoadBalancers,
    ...inventory.loadBalancers,
  ];
  const base = {
    ...(loadBalancer ? { loadBalancer } : {}),
    zones: inventory.dns.zones,
    certificates: inventory.certificates,
    ...(existing ? { existingLoadBalancers: existing } : {}),
    ...lostAddressesOf(request.live, existing),
  };
  const converged =
    !opts.verify && request.fingerprinted && loadBalancer?.tags[TAG.state] === request.fingerprint;
  if (converged)
    return { ...base, converged, alb: EMPTY_OBSERVED_GROUP, recordSets: new Map(), readErrors: [] };
  const [alb, records] = await Promise.all([
    observeGroup(ports, inventory, request.owner, { desired: request.alb, vpcId: opts.vpcId }),
    // A halted group changes nothing in AWS: its records are not read either.
    observeRecordSets(
      ports,
      inventory,
      request.alb.halt ? [] : zonesToObserve(request, inventory.dns.zones, opts.filters),
    ),
  ]);
  return { ...base, converged, alb, ...records };
}

/**
 * The zones whose records the plan needs: those of the live and leaving members' hosts (public and
 * private), and those of the validation CNAMEs to write or, for certificates no host needs, to retire.
 */
export function zonesToObserve(
  request: Pick<GroupReadRequest, "live" | "leaving" | "validation" | "certificates">,
  zones: readonly HostedZone[],
  filters: GroupReadOptions["filters"],
): string[] {
  const ids = new Set<string>();
  for (const ingress of [...request.live, ...request.leaving]) {
    for (const host of hostsOfIngress(ingress).hosts) {
      for (const priv of [false, true]) {
        const z = chooseZone(host, zones, { private: priv, ...filters });
        if (z) ids.add(z.id);
      }
    }
  }
  const retiring = request.certificates.unused.flatMap((c) => c.validation.map((v) => v.name));
  for (const name of [...request.validation.map((v) => v.name), ...retiring]) {
    const z = chooseZone(name.replace(/\.$/, ""), zones, { private: false });
    if (z) ids.add(z.id);
  }
  return [...ids].sort();
}

/** Reads the record sets of the zones, once per pass each (a change to a zone drops its copy). */
async function observeRecordSets(
  ports: AwsPorts,
  inventory: ClusterInventory,
  zoneIds: readonly string[],
): Promise<{ recordSets: Map<string, readonly ObservedRecordSet[]>; readErrors: unknown[] }> {
  const recordSets = new Map<string, readonly ObservedRecordSet[]>();
  const readErrors: unknown[] = [];
  for (const zoneId of zoneIds) {
    let sets = inventory.dns.recordSets.get(zoneId);
    if (!sets) {
      sets = ports.route53.listRecordSets(zoneId);
      inventory.dns.recordSets.set(zoneId, sets);
      // A failed read is not shared: the next group (or pass) asks again.
      sets.catch(() => inventory.dns.recordSets.delete(zoneId));
    }
    try {
      recordSets.set(zoneId, await sets);
    } catch (err) {
      readErrors.push(err);
    }
  }
  return { recordSets, readErrors };
}

/**
 * The status addresses of live members that no ALB of the region had when the pass began (its ALB was
 * deleted behind Gannet's back, or AWS lost it); unknown when the inventory does not list every ALB.
 */
function lostAddressesOf(
  live: readonly Ingress[],
  existing: readonly { readonly dnsName: string }[] | undefined,
): { lostAddresses?: ReadonlySet<string> } {
  if (!existing) return {};
  const known = new Set(existing.map((lb) => lb.dnsName.toLowerCase()));
  const lost = live
    .map((i) => i.status?.loadBalancer?.ingress?.[0]?.hostname)
    .filter((h): h is string => !!h && !known.has(h.toLowerCase()));
  return lost.length ? { lostAddresses: new Set(lost) } : {};
}
