// Plan stage: what Gannet holds in AWS per group, and which of it is orphaned (for `gannet gc` and
// `gannet cost`). Pure.
//
// A group is orphaned when AWS holds resources tagged for this cluster and that group, and no Ingress
// at all names the group: not by `group.name` (valid or not, of any IngressClass), not as its implicit
// key `<namespace>/<name>`, not by a finalizer. So a group frozen because its IngressClass is missing,
// a group whose members the join policy refuses, or one an Ingress of another class names, is never
// collected. A record is orphaned when its ownership TXT names our owner id, its alias points at an ELB
// name that no longer exists (or whose group is collected), and the Ingress its TXT names is gone.

import type { HostedZone } from "../model/dns/dns-records.ts";
import type { Ingress } from "../model/kube-objects.ts";
import { groupTagValue, isOwnedByCluster, TAG } from "../model/ownership.ts";
import { ANNOTATION_PREFIX, compareStrings, objectKey } from "../model/problems.ts";
import {
  CERTIFICATE_ROLE,
  type CertificateSummary,
  inUseByLoadBalancerArn,
} from "../model/tls/certificates.ts";
import { groupsOfFinalizers } from "../sources/ingress/groups/finalizers.ts";
import { groupKeyOf } from "../sources/ingress/groups/ingress-groups.ts";
import { ingressResource } from "../sources/ingress/hosts/hostnames.ts";
import type { LoadBalancerSummary, ObservedSecurityGroup, TargetGroupSummary } from "../types/alb.ts";
import type { ObservedRecordSet, RecordChange } from "../types/dns.ts";
import { findOwnedRecords, planRecords, type RegistrySettings } from "./record-planner.ts";

/** A record Gannet owns that aliases an ALB. */
export interface HeldRecord {
  readonly zoneId: string;
  readonly zoneName: string;
  readonly name: string;
  readonly type: string;
  /** The alias target's DNS name (lowercase, no `dualstack.`, no trailing dot). */
  readonly target: string;
  /** The resource its TXT names (`ingress/<ns>/<name>`). */
  readonly resource?: string;
}

/** What one group holds in AWS. */
export interface GroupHoldings {
  /** The group's `gannet.io/group` tag value (its key, unless the key is over 256 characters). */
  readonly group: string;
  /** True when an Ingress names the group: it is live (or frozen), never collected. */
  readonly referenced: boolean;
  readonly loadBalancers: readonly LoadBalancerSummary[];
  readonly targetGroups: readonly TargetGroupSummary[];
  readonly securityGroups: readonly ObservedSecurityGroup[];
  readonly certificates: readonly CertificateSummary[];
  /** Our records aliasing this group's ALBs. */
  readonly records: readonly HeldRecord[];
}

/** The `gannet.io/group` tag values every Ingress (of any class, deleted or not) names. */
export function referencedGroups(ingresses: readonly Ingress[]): Set<string> {
  const out = new Set<string>();
  for (const ingress of ingresses) {
    const keys = [objectKey(ingress), groupKeyOf(ingress), ...groupsOfFinalizers(ingress)];
    // Even an invalid group.name counts: the Ingress may be fixed any minute and expect its ALB back.
    const raw = ingress.metadata.annotations?.[`${ANNOTATION_PREFIX}group.name`]?.trim();
    if (raw) keys.push(raw);
    for (const k of keys) out.add(groupTagValue(k));
  }
  return out;
}

/** The inventory parts holdings are built from (all already filtered to this cluster's tags but certificates). */
export interface HoldingsInput {
  readonly cluster: string;
  readonly loadBalancers: readonly LoadBalancerSummary[];
  readonly targetGroups: readonly TargetGroupSummary[];
  readonly securityGroups: readonly ObservedSecurityGroup[];
  readonly certificates: readonly CertificateSummary[];
  /** Our records aliasing any ALB, from every zone read. */
  readonly records: readonly HeldRecord[];
  readonly referenced: ReadonlySet<string>;
}

/** Groups holding anything tagged for this cluster, in group order. */
export function buildGroupHoldings(input: HoldingsInput): GroupHoldings[] {
  const mine = <T extends { readonly tags: Readonly<Record<string, string>> }>(items: readonly T[]) =>
    items.filter((i) => isOwnedByCluster(i.tags, input.cluster));
  const certificates = mine(input.certificates).filter((c) => c.tags[TAG.resource] === CERTIFICATE_ROLE);
  const resources = [
    ...mine(input.loadBalancers),
    ...mine(input.targetGroups),
    ...mine(input.securityGroups),
    ...certificates,
  ];
  const groups = [...new Set(resources.map((r) => r.tags[TAG.group] ?? ""))].sort(compareStrings);
  return groups.map((group) => {
    const of = <T extends { readonly tags: Readonly<Record<string, string>> }>(items: readonly T[]) =>
      mine(items).filter((i) => i.tags[TAG.group] === group);
    const loadBalancers = of(input.loadBalancers);
    const targets = new Set(loadBalancers.map((lb) => aliasName(lb.dnsName)));
    return {
      group,
      referenced: input.referenced.has(group),
      loadBalancers,
      targetGroups: of(input.targetGroups),
      securityGroups: of(input.securityGroups),
      certificates: of(certificates),
      records: input.records.filter((r) => targets.has(r.target)),
    };
  });
}

/** An alias target as compared: lowercase, no trailing dot, no `dualstack.`. */
export function aliasName(dnsName: string): string {
  return dnsName
    .toLowerCase()
    .replace(/\.$/, "")
    .replace(/^dualstack\./, "");
}

/** Our alias records of one zone (those whose TXT names `settings.ownerId`). */
export function heldRecordsOfZone(
  zone: HostedZone,
  observed: readonly ObservedRecordSet[],
  settings: RegistrySettings,
): HeldRecord[] {
  return findOwnedRecords(observed, settings).flatMap(({ record, resource }) =>
    record.alias
      ? [
          {
            zoneId: zone.id,
            zoneName: zone.name,
            name: record.name,
            type: record.type,
            target: aliasName(record.alias.dnsName),
            ...(resource !== undefined ? { resource } : {}),
          },
        ]
      : [],
  );
}

const isElbName = (dnsName: string) => /\.elb\.amazonaws\.com(?:\.cn)?$/.test(dnsName);

/**
 * Our records whose ALB is gone: the alias target is an ELB name that no load balancer of the account has
 * (after the doomed ones go), and the Ingress the TXT names no longer exists (else its group's reconcile
 * owns the record and will repoint it). A TXT that names no resource was not written by Gannet: left alone.
 */
export function findOrphanRecords(input: {
  readonly records: readonly HeldRecord[];
  /** DNS names of every load balancer of the region, any owner. */
  readonly existingTargets: ReadonlySet<string>;
  /** DNS names of the ALBs `gc` deletes. */
  readonly doomedTargets: ReadonlySet<string>;
  readonly ingresses: readonly Ingress[];
}): HeldRecord[] {
  const live = new Set(input.ingresses.map(ingressResource));
  return input.records.filter(
    (r) =>
      r.resource !== undefined &&
      isElbName(r.target) &&
      (!input.existingTargets.has(r.target) || input.doomedTargets.has(r.target)) &&
      !(r.resource !== undefined && live.has(r.resource)),
  );
}

/**
 * The Route53 changes that delete the orphan records of one zone with their ownership TXT records, by the
 * record planner's rules (a record before its TXT, legacy TXT names too, nothing of another owner).
 */
export function planOrphanRecordDeletions(input: {
  readonly zoneId: string;
  readonly observed: readonly ObservedRecordSet[];
  readonly orphans: readonly HeldRecord[];
  readonly settings: RegistrySettings;
}): RecordChange[] {
  const orphans = input.orphans.filter((r) => r.zoneId === input.zoneId);
  if (orphans.length === 0) return [];
  const scope = new Set(orphans.flatMap((r) => (r.resource !== undefined ? [r.resource] : [])));
  const doomed = new Set(orphans.map((r) => `${r.type} ${r.name}`));
  const plan = planRecords({
    zoneId: input.zoneId,
    desired: [],
    observed: input.observed,
    scope,
    // gc deletes what it was asked to, whatever the controller's policy.
    settings: { ...input.settings, policy: "sync" },
  });
  // Keep only the units of orphan records: the resource may have other records that are not orphans.
  const units = new Set(
    plan.changes
      .filter((c) => c.record.type !== "TXT" && doomed.has(`${c.record.type} ${c.record.name}`))
      .map((c) => c.unit),
  );
  return plan.changes.filter((c) => c.unit !== undefined && units.has(c.unit));
}

/** What `gannet gc` collects: the orphaned groups (with the certificates nothing else uses) and records. */
export interface Collection {
  readonly groups: readonly GroupHoldings[];
  readonly records: readonly HeldRecord[];
}

/** Chooses what `gc` collects from the holdings. */
export function planCollection(input: {
  readonly holdings: readonly GroupHoldings[];
  readonly records: readonly HeldRecord[];
  readonly existingTargets: ReadonlySet<string>;
  readonly ingresses: readonly Ingress[];
}): Collection {
  const groups = input.holdings
    .filter((g) => !g.referenced)
    .map((g) => {
      const own = new Set(g.loadBalancers.map((lb) => lb.arn));
      // A certificate another ALB (another group's, CloudFront's) uses stays, as the reconcile would keep it.
      const certificates = g.certificates.filter((c) =>
        c.inUseBy.every((arn) => own.has(inUseByLoadBalancerArn(arn))),
      );
      return { ...g, certificates };
    })
    .filter(
      (g) =>
        g.loadBalancers.length + g.targetGroups.length + g.securityGroups.length + g.certificates.length > 0,
    );
  const doomedTargets = new Set(groups.flatMap((g) => g.loadBalancers.map((lb) => aliasName(lb.dnsName))));
  const records = findOrphanRecords({
    records: input.records,
    existingTargets: input.existingTargets,
    doomedTargets,
    ingresses: input.ingresses,
  });
  return { groups, records };
}
