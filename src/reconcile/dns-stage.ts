// DNS of one group, the ExternalDNS way: alias records to the group's ALB with TXT ownership records,
// and the validation CNAMEs of its pending certificates. One ChangeResourceRecordSets per zone that
// has changes; none when nothing changed.

import type { Route53Port } from "../aws/route53.ts";
import type { Problem } from "../model/desired.ts";
import { chooseZone, type DesiredRecord, type HostedZone } from "../model/dns/dns-records.ts";
import type { Ingress } from "../model/kube-objects.ts";
import { objectKey } from "../model/problems.ts";
import type { ValidationRecord } from "../model/tls/certificates.ts";
import {
  type ObservedRecordSet,
  planRecords,
  type RecordChange,
  type RecordConflict,
  type RegistrySettings,
} from "../plan/record-planner.ts";
import { buildDesiredRecords, hostsOfIngress, ingressResource } from "../sources/ingress/hosts/hostnames.ts";

/** Route53 state shared by the groups of one pass: zones, and each zone's records read on demand. */
export interface DnsInventory {
  readonly zones: readonly HostedZone[];
  readonly recordSets: Map<string, Promise<ObservedRecordSet[]>>;
}

/** What the DNS stage needs. */
export interface DnsStageInput {
  readonly route53: Route53Port;
  readonly inventory: DnsInventory;
  readonly live: readonly Ingress[];
  readonly leaving: readonly Ingress[];
  /** The group's ALB, absent when the group is being deleted. */
  readonly target?: {
    readonly dnsName: string;
    readonly hostedZoneId: string;
    readonly dualstack: boolean;
    readonly internal: boolean;
  };
  readonly registry: RegistrySettings;
  readonly filters: { readonly domainFilters: readonly string[]; readonly zoneIdFilters: readonly string[] };
  /** Validation CNAMEs of pending certificates, written into the public zone that holds them. */
  readonly validation: readonly ValidationRecord[];
  /** Validation CNAME names (fqdn, trailing dot) no certificate needs any more: deleted where present. */
  readonly retiredValidation: ReadonlySet<string>;
  /** DNS names of this group's ALBs (now and before this reconcile): only records aliased to one are deleted. */
  readonly ownTargets: ReadonlySet<string>;
  /**
   * DNS names of every ALB that exists (any owner), when known: a record of this group aliased to an
   * ALB that is gone (its deletion done by a process that then died) is deleted too, never left dangling.
   */
  readonly liveTargets?: ReadonlySet<string>;
  /** Called once before the first Route53 change (the group's fingerprint goes first). */
  readonly beforeChange?: () => Promise<void>;
}

/** What the DNS stage did and found. */
export interface DnsStageResult {
  readonly records: readonly DesiredRecord[];
  readonly changes: readonly RecordChange[];
  readonly problems: readonly Problem[];
  readonly failed: readonly string[];
}

function recordSetsOf(
  route53: Route53Port,
  inventory: DnsInventory,
  zoneId: string,
): Promise<ObservedRecordSet[]> {
  let sets = inventory.recordSets.get(zoneId);
  if (!sets) {
    sets = route53.listRecordSets(zoneId);
    inventory.recordSets.set(zoneId, sets);
  }
  return sets;
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

/** Plans and applies the group's records zone by zone. */
export async function reconcileDns(input: DnsStageInput): Promise<DnsStageResult> {
  const { inventory, route53 } = input;
  const problems: Problem[] = [];
  const built = input.target
    ? buildDesiredRecords({
        members: input.live.map((ingress) => ({ ingress })),
        target: input.target,
        zones: inventory.zones,
        private: input.target.internal,
        domainFilters: input.filters.domainFilters,
        zoneIdFilters: input.filters.zoneIdFilters,
      })
    : { records: [], problems: [] };
  problems.push(...built.problems);

  // Zones to look at: where records are wanted, and wherever a leaving member's records may be.
  const zoneIds = new Set(built.records.map((r) => r.zoneId));
  for (const ingress of [...input.live, ...input.leaving]) {
    for (const host of hostsOfIngress(ingress).hosts) {
      for (const priv of [false, true]) {
        const z = chooseZone(host, inventory.zones, { private: priv, ...input.filters });
        if (z) zoneIds.add(z.id);
      }
    }
  }
  const validationByZone = new Map<string, ValidationRecord[]>();
  for (const v of input.validation) {
    const z = chooseZone(v.name.replace(/\.$/, ""), inventory.zones, { private: false });
    if (!z) continue;
    zoneIds.add(z.id);
    validationByZone.set(z.id, [...(validationByZone.get(z.id) ?? []), v]);
  }
  for (const name of input.retiredValidation) {
    const z = chooseZone(name.replace(/\.$/, ""), inventory.zones, { private: false });
    if (z) zoneIds.add(z.id);
  }

  const scope = new Set([...input.live, ...input.leaving].map(ingressResource));
  const ingressOf = new Map([...input.live, ...input.leaving].map((i) => [ingressResource(i), objectKey(i)]));
  const ttl = input.live.map((i) => hostsOfIngress(i).ttl).find((t) => t !== undefined);
  const changes: RecordChange[] = [];
  const failed: string[] = [];
  for (const zoneId of [...zoneIds].sort()) {
    const observed = await recordSetsOf(route53, inventory, zoneId);
    const plan = planRecords({
      zoneId,
      desired: built.records.filter((r) => r.zoneId === zoneId),
      observed,
      scope,
      settings: input.registry,
      ...(ttl !== undefined ? { ttl } : {}),
    });
    problems.push(...plan.conflicts.map((c) => conflictProblem(c, ingressOf)));
    const zoneChanges = [
      ...keepOwnDeletions(plan.changes, input.ownTargets, input.liveTargets),
      ...validationChanges(observed, validationByZone.get(zoneId) ?? [], input.retiredValidation),
    ];
    if (zoneChanges.length === 0) continue;
    await input.beforeChange?.();
    const result = await route53.changeRecordSets(zoneId, zoneChanges, "gannet: Ingress records");
    inventory.recordSets.delete(zoneId);
    changes.push(...zoneChanges.filter((c) => !result.failed.some((f) => f.change === c)));
    failed.push(
      ...result.failed.map(
        (f) => `${f.change.action} ${f.change.record.type} ${f.change.record.name}: ${f.error}`,
      ),
    );
  }
  return { records: built.records, changes, problems, failed };
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
