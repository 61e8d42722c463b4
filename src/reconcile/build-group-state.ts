// Build step of a group's reconcile (pure): from the Kubernetes objects and what the pass observed in
// AWS, the desired ALB, the certificates its HTTPS listeners serve (and those to request), and the
// fingerprint of it all that the group's ALB carries once AWS holds it.

import type { KubeSnapshot } from "../kube/kube-port.ts";
import { chooseZone, type HostedZone, zoneContainsHost } from "../model/dns/dns-records.ts";
import type { GroupState } from "../model/group-state.ts";
import type { Ingress } from "../model/kube-objects.ts";
import { isOwnedBy, type Owner, shortHash } from "../model/ownership.ts";
import { type CertificateChoice, validationRecordsNeeded } from "../model/tls/certificates.ts";
import type { ClusterInventory } from "../observe/observe-aws.ts";
import type { DnsFilters } from "../plan/dns-plan.ts";
import type { RegistrySettings } from "../plan/record-planner.ts";
import { readMemberAnnotations } from "../sources/ingress/annotations/annotations.ts";
import { buildDesiredGroup, type CurrentLoadBalancer } from "../sources/ingress/build-group.ts";
import type { GroupMembers } from "../sources/ingress/groups/collect-groups.ts";
import { buildGroupFinalizer } from "../sources/ingress/groups/finalizers.ts";
import { hostsOfIngress } from "../sources/ingress/hosts/hostnames.ts";
import { chooseCertificates } from "../sources/ingress/hosts/tls-hosts.ts";

/** Settings of one Gannet installation. */
export interface ClusterSettings {
  readonly cluster: string;
  readonly vpcId: string;
  readonly registry: RegistrySettings;
  readonly dnsFilters: DnsFilters;
}

/** What one group's reconcile reads: its Ingresses, and what the pass observed. */
export interface GroupInput {
  readonly members: GroupMembers;
  readonly snapshot: KubeSnapshot;
  readonly inventory: ClusterInventory;
  /** What each `security-groups` name of the group's Ingresses resolves to (looked up by the pass). */
  readonly securityGroups?: ReadonlyMap<string, readonly string[]>;
}

/** The build step (pure): the group's ALB model, certificates, validation records and fingerprint. */
export function buildGroupState(input: GroupInput, settings: ClusterSettings): GroupState {
  const { members, snapshot, inventory } = input;
  const owner = { cluster: settings.cluster, group: members.group };
  const live = members.members.filter((m) => !m.metadata.deletionTimestamp);
  // Certificates first, since HTTPS listeners serve the ones already issued.
  const certificates = chooseGroupCertificates(owner, live, inventory);
  const alb = buildDesiredGroup({
    group: members.group,
    members: members.members,
    services: snapshot.services,
    endpointSlices: snapshot.endpointSlices,
    context: { cluster: settings.cluster, vpcId: settings.vpcId, subnets: inventory.subnets },
    certificateArns: certificates.attach,
    placementProblems: members.problems,
    ...currentLoadBalancer(inventory, owner),
    ...(members.halt !== undefined ? { halt: members.halt } : {}),
    ...(input.securityGroups ? { securityGroupLookup: new Map(input.securityGroups) } : {}),
  });
  const fingerprint = computeStateHash([
    alb,
    certificates,
    live.map((i) => hostsOfIngress(i)),
    zonesOfGroup(inventory.dns.zones, live, certificates),
    settings.registry,
    settings.dnsFilters,
  ]);
  const waiting = certificates.requests.length + certificates.pending.length + certificates.unused.length;
  return {
    group: members.group,
    owner,
    finalizer: buildGroupFinalizer(members.group),
    live,
    leaving: members.leaving,
    refused: members.refused,
    alb,
    certificates,
    validation: validationRecordsNeeded(certificates),
    fingerprint,
    fingerprinted: !alb.halt && members.leaving.length === 0 && waiting === 0,
  };
}

/** Computes the fingerprint of a group's desired state from its JSON-able parts. */
export function computeStateHash(parts: readonly unknown[]): string {
  return shortHash(
    parts.map((p) => JSON.stringify(p)),
    32,
  );
}

/** Chooses the certificates that serve the TLS hosts of the live members. */
function chooseGroupCertificates(
  owner: Owner,
  live: readonly Ingress[],
  inventory: ClusterInventory,
): CertificateChoice {
  const zones = inventory.dns.zones;
  return chooseCertificates({
    canValidate: (host) => chooseZone(host.replace(/^\*\./, ""), zones, { private: false }) !== undefined,
    owner,
    members: live.map((ingress) => {
      const arns = readMemberAnnotations(ingress).settings.certificateArns;
      return arns?.length ? { ingress, certificateArns: arns } : { ingress };
    }),
    certificates: inventory.certificates,
  });
}

/** The group's ALB as it is now (the first by name if a crash left several), for held settings. */
function currentLoadBalancer(inventory: ClusterInventory, owner: Owner): { current?: CurrentLoadBalancer } {
  const lb = inventory.loadBalancers
    .filter((l) => isOwnedBy(l.tags, owner))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))[0];
  if (!lb) return {};
  const sg = inventory.securityGroups.find(
    (g) => isOwnedBy(g.tags, owner) && lb.securityGroupIds.includes(g.id),
  );
  const inboundCidrs = [...new Set((sg?.ingress ?? []).map((r) => r.cidr))].sort();
  return {
    current: {
      name: lb.name,
      scheme: lb.scheme,
      ipAddressType: lb.ipAddressType,
      subnetIds: lb.subnetIds,
      inboundCidrs,
    },
  };
}

/**
 * The hosted zones that can hold one of the group's names (its hosts, its validation records): the
 * part of the account's zones its fingerprint depends on. A zone created or deleted elsewhere in the
 * account must not change every group's fingerprint (and cost every group a full read and a tag write).
 */
function zonesOfGroup(
  zones: readonly HostedZone[],
  live: readonly Ingress[],
  certificates: CertificateChoice,
): HostedZone[] {
  const names = [
    ...live.flatMap((i) => hostsOfIngress(i).hosts),
    ...validationRecordsNeeded(certificates).map((r) => r.name.replace(/\.$/, "")),
  ];
  return zones.filter((z) => names.some((n) => zoneContainsHost(z, n)));
}
