// Plan stage: the Route53 changes of one group, the ExternalDNS way: alias records to the group's ALB with
// TXT ownership records, and the validation CNAMEs of its pending certificates. Pure: the zones' record
// sets are observed beforehand; an ALB this reconcile creates is named by `LOAD_BALANCER_REF`, resolved
// by apply once CreateLoadBalancer has answered.

import type { Problem } from "../model/desired.ts";
import { chooseZone, type DesiredRecord, type HostedZone } from "../model/dns/dns-records.ts";
import type { Ingress } from "../model/kube-objects.ts";
import { objectKey } from "../model/problems.ts";
import type { ValidationRecord } from "../model/tls/certificates.ts";
import { buildDesiredRecords, hostsOfIngress, ingressResource } from "../sources/ingress/hosts/hostnames.ts";
import type { ObservedRecordSet, RecordChange } from "../types/dns.ts";
import { planRecords, type RecordConflict, type RegistrySettings } from "./record-planner.ts";

/** Stands for the DNS name (and canonical zone) of the ALB this reconcile creates: apply resolves it. */
export const LOAD_BALANCER_REF = "load-balancer.gannet.invalid";

/** Where the group's alias records point. */
export interface RecordTarget {
  /** The ALB's DNS name, or `LOAD_BALANCER_REF` for one not created yet. */
  readonly dnsName: string;
  readonly hostedZoneId: string;
  readonly dualstack: boolean;
  readonly internal: boolean;
}

/** ExternalDNS's `--domain-filter` and `--zone-id-filter`. */
export interface DnsFilters {
  readonly domainFilters: readonly string[];
  readonly zoneIdFilters: readonly string[];
}

/** What planning a group's records needs. */
export interface RecordPlanInput {
  readonly zones: readonly HostedZone[];
  readonly live: readonly Ingress[];
  readonly leaving: readonly Ingress[];
  readonly filters: DnsFilters;
  /** Validation CNAMEs of pending certificates, written into the public zone that holds them. */
  readonly validation: readonly ValidationRecord[];
  /** Validation CNAME names (fqdn, trailing dot) no certificate needs any more: deleted where present. */
  readonly retiredValidation: ReadonlySet<string>;
  /** The record sets of each zone the group's names may live in, as observed; others are left alone. */
  readonly recordSets: ReadonlyMap<string, readonly ObservedRecordSet[]>;
  /** The group's ALB, absent when the group is being deleted. */
  readonly target?: RecordTarget;
  readonly registry: RegistrySettings;
  /** DNS names of this group's ALBs: only records aliased to one are deleted. */
  readonly ownTargets: ReadonlySet<string>;
  /**
   * DNS names of every ALB that exists (any owner), when known: a record of this group aliased to an
   * ALB that is gone (its deletion done by a process that then died) is deleted too, never left dangling.
   */
  readonly liveTargets?: ReadonlySet<string>;
}

/** The changes of one hosted zone, sent as one ChangeResourceRecordSets. */
export interface ZoneChanges {
  readonly zoneId: string;
  readonly changes: readonly RecordChange[];
}

/** The group's records: those it wants, the changes per zone, and the names it may not take. */
export interface RecordPlan {
  readonly records: readonly DesiredRecord[];
  readonly zones: readonly ZoneChanges[];
  readonly problems: readonly Problem[];
}

const fqdn = (name: string) => `${name.replace(/\.$/, "").toLowerCase()}.`;

function conflictProblem(c: RecordConflict, ingressOf: Map<string, string>): Problem {
  return {
    ingress: ingressOf.get(c.resource) ?? c.resource.replace(/^ingress\//, ""),
    field: "spec.rules[].host",
    value: c.name,
    message: `DNS record ${c.type} ${c.name} is not Gannet's to change (${c.reason}): remove it, or give it to this owner id`,
    scope: "rule",
  };
}

/** Plans the group's records zone by zone: one entry per zone that has changes. */
export function planGroupRecords(input: RecordPlanInput): RecordPlan {
  const built = input.target
    ? buildDesiredRecords({
        members: input.live.map((ingress) => ({ ingress })),
        target: input.target,
        zones: input.zones,
        private: input.target.internal,
        domainFilters: input.filters.domainFilters,
        zoneIdFilters: input.filters.zoneIdFilters,
      })
    : { records: [], problems: [] };
  const problems: Problem[] = [...built.problems];
  const validationByZone = new Map<string, ValidationRecord[]>();
  for (const v of input.validation) {
    const z = chooseZone(v.name.replace(/\.$/, ""), input.zones, { private: false });
    if (z) validationByZone.set(z.id, [...(validationByZone.get(z.id) ?? []), v]);
  }
  const members = [...input.live, ...input.leaving];
  const scope = new Set(members.map(ingressResource));
  const ingressOf = new Map(members.map((i) => [ingressResource(i), objectKey(i)]));
  const ttl = input.live.map((i) => hostsOfIngress(i).ttl).find((t) => t !== undefined);
  const zones: ZoneChanges[] = [];
  for (const [zoneId, observed] of [...input.recordSets].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const plan = planRecords({
      zoneId,
      desired: built.records.filter((r) => r.zoneId === zoneId),
      observed,
      scope,
      settings: input.registry,
      ...(ttl !== undefined ? { ttl } : {}),
    });
    problems.push(...plan.conflicts.map((c) => conflictProblem(c, ingressOf)));
    const changes = [
      ...keepOwnDeletions(plan.changes, input.ownTargets, input.liveTargets),
      ...validationChanges(observed, validationByZone.get(zoneId) ?? [], input.retiredValidation),
    ];
    if (changes.length > 0) zones.push({ zoneId, changes });
  }
  return { records: built.records, zones, problems };
}

const aliasName = (name: string) =>
  name
    .toLowerCase()
    .replace(/\.$/, "")
    .replace(/^dualstack\./, "");

/**
 * Drops deletions of alias records that point at another ALB (with their TXT): when an Ingress moves
 * between groups, its new group may already have repointed the record, and the old one must not delete it.
 * With `liveTargets` known, a record aliased to an ALB that no longer exists is not another's: it is deleted.
 */
export function keepOwnDeletions(
  changes: readonly RecordChange[],
  ownTargets: ReadonlySet<string>,
  liveTargets?: ReadonlySet<string>,
): RecordChange[] {
  const live = liveTargets && new Set([...liveTargets].map(aliasName));
  const isForeign = (dnsName: string) =>
    !ownTargets.has(aliasName(dnsName)) && (live === undefined || live.has(aliasName(dnsName)));
  const foreignUnits = new Set(
    changes
      .filter((c) => c.action === "DELETE" && c.record.alias && isForeign(c.record.alias.dnsName))
      .map((c) => c.unit ?? `${c.record.type} ${c.record.name}`),
  );
  return changes.filter((c) => !foreignUnits.has(c.unit ?? `${c.record.type} ${c.record.name}`));
}

/** UPSERTs for validation CNAMEs that are missing or differ; DELETEs for retired ones present. */
function validationChanges(
  observed: readonly ObservedRecordSet[],
  wanted: readonly ValidationRecord[],
  retired: ReadonlySet<string>,
): RecordChange[] {
  const at = (name: string) => observed.find((o) => o.type === "CNAME" && fqdn(o.name) === fqdn(name));
  const out: RecordChange[] = [];
  const seen = new Set<string>();
  for (const v of wanted) {
    const name = fqdn(v.name);
    if (seen.has(name)) continue;
    seen.add(name);
    const current = at(name);
    if (current?.values?.length === 1 && fqdn(current.values[0] ?? "") === fqdn(v.value)) continue;
    out.push({
      action: "UPSERT",
      record: { name: name.replace(/\.$/, ""), type: "CNAME", ttl: 300, values: [v.value] },
    });
  }
  for (const name of retired) {
    const current = at(name);
    if (current && !seen.has(fqdn(name))) out.push({ action: "DELETE", record: current });
  }
  return out;
}

/** The change with the group's new ALB in place of `LOAD_BALANCER_REF` (unchanged when it names none). */
export function resolveLoadBalancerRef(
  change: RecordChange,
  lb: { readonly dnsName: string; readonly canonicalHostedZoneId: string },
): RecordChange {
  const alias = change.record.alias;
  if (!alias || aliasName(alias.dnsName) !== LOAD_BALANCER_REF) return change;
  return {
    ...change,
    record: {
      ...change.record,
      alias: {
        ...alias,
        dnsName: lb.dnsName.toLowerCase().replace(/\.$/, ""),
        hostedZoneId: lb.canonicalHostedZoneId,
      },
    },
  };
}
