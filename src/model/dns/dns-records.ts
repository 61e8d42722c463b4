// Model stage: the Route53 records a group should have, as ExternalDNS would publish them. The hosts
// come from the front end's description (`HostnameDescription`); each becomes an A alias (and an AAAA
// alias for a dualstack ALB) to the group's ALB, in the most specific hosted zone of the ALB's visibility.
// Ownership (the TXT registry) lives in the planner.

import type { HostnameDescription } from "../description.ts";
import type { Problem } from "../desired.ts";
import { compareStrings, createProblem, sortProblems } from "../problems.ts";

/** A Route53 hosted zone: id without `/hostedzone/`, name lowercase without the trailing dot. */
export interface HostedZone {
  readonly id: string;
  readonly name: string;
  readonly private: boolean;
}

/** The target of a Route53 alias record. */
export interface AliasTarget {
  readonly dnsName: string;
  readonly hostedZoneId: string;
  readonly evaluateTargetHealth: boolean;
}

/** One alias record the group wants; `resource` is its owner as ExternalDNS writes it (`ingress/<ns>/<name>`). */
export interface DesiredRecord {
  readonly zoneId: string;
  readonly name: string; // fqdn, lowercase, no trailing dot; a wildcard is `*.example.com`
  readonly type: "A" | "AAAA";
  readonly alias: AliasTarget & { readonly evaluateTargetHealth: true };
  readonly resource: string;
}

/** Which hosted zones may receive records, as ExternalDNS's `--domain-filter` and `--zone-id-filter`. */
export interface ZoneFilters {
  readonly domainFilters?: readonly string[];
  readonly zoneIdFilters?: readonly string[];
}

const LABEL = "[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?";
const HOST = new RegExp(`^(?:\\*\\.)?${LABEL}(?:\\.${LABEL})*$`);

/** The host in the form records use: lowercase, without a trailing dot. */
export function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/\.$/, "");
}

/** True for an RFC 1123 host name of at most 253 characters, optionally `*.` followed by one. */
export function isValidHost(host: string): boolean {
  return host.length <= 253 && HOST.test(host);
}

function normalizeZoneName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, "");
}

function zoneIdOf(id: string): string {
  return id.trim().replace(/^\/?hostedzone\//, "");
}

// ExternalDNS's domain filter on a zone name: equal, a subdomain of the filter, or a suffix for ".filter".
function matchesDomainFilter(zoneName: string, filters: readonly string[]): boolean {
  const normalized = filters.map(normalizeZoneName).filter((f) => f !== "");
  if (normalized.length === 0) return true;
  return normalized.some((f) =>
    f.startsWith(".") ? zoneName.endsWith(f) : zoneName === f || zoneName.endsWith(`.${f}`),
  );
}

/** True when a zone is `host`'s own zone or a parent of it at a label boundary. */
export function zoneContainsHost(zone: HostedZone, host: string): boolean {
  return host === zone.name || host.endsWith(`.${zone.name}`);
}

/** The most specific eligible zone for a host: right visibility, within the filters, containing it. */
export function chooseZone(
  host: string,
  zones: readonly HostedZone[],
  opts: { readonly private: boolean } & ZoneFilters,
): HostedZone | undefined {
  const ids = (opts.zoneIdFilters ?? []).map(zoneIdOf).filter((id) => id !== "");
  let best: HostedZone | undefined;
  for (const zone of zones) {
    if (zone.private !== opts.private || !zoneContainsHost(zone, host)) continue;
    if (!matchesDomainFilter(zone.name, opts.domainFilters ?? [])) continue;
    if (ids.length > 0 && !ids.includes(zone.id)) continue;
    // Two zones of one name are possible in Route53; the lower id wins so the choice is stable.
    if (
      best === undefined ||
      zone.name.length > best.name.length ||
      (zone.name.length === best.name.length && compareStrings(zone.id, best.id) < 0)
    ) {
      best = zone;
    }
  }
  return best;
}

/** Input of `buildGroupRecords`. */
export interface GroupRecordsInput extends ZoneFilters {
  /** The hostnames of the live members, in group order. */
  readonly hostnames: readonly HostnameDescription[];
  /** The group's ALB: its DNS name and canonical hosted zone. */
  readonly target: { readonly dnsName: string; readonly hostedZoneId: string; readonly dualstack: boolean };
  readonly zones: readonly HostedZone[];
  /** True for an internal ALB: records go to private zones. */
  readonly private: boolean;
}

function noZoneMessage(host: string, input: GroupRecordsInput): string {
  const kind = input.private ? "private" : "public";
  const filtered =
    (input.domainFilters?.length ?? 0) + (input.zoneIdFilters?.length ?? 0) > 0
      ? " within the configured domain and zone id filters"
      : "";
  const how = input.private ? `a ${kind} zone associated with the ALB's VPC` : `a ${kind} zone`;
  return `no ${kind} hosted zone${filtered} contains host ${JSON.stringify(host)}: create ${how} for it, or remove the host`;
}

/** An A alias per host (and AAAA for a dualstack ALB); the first member in group order owns a host. */
export function buildGroupRecords(input: GroupRecordsInput): {
  records: DesiredRecord[];
  problems: Problem[];
} {
  const records: DesiredRecord[] = [];
  const problems: Problem[] = [];
  const claimedBy = new Map<string, string>();
  const alias = {
    dnsName: normalizeHost(input.target.dnsName),
    hostedZoneId: input.target.hostedZoneId,
    evaluateTargetHealth: true,
  } as const;
  for (const described of input.hostnames) {
    const key = described.member;
    problems.push(...described.problems);
    const sorted = [...described.hosts].sort((a, b) => compareStrings(a.host, b.host));
    for (const { host, field } of sorted) {
      // Members of one group share one ALB: a host several of them route (different paths) is one
      // record, its TXT naming the first member in group order.
      if (claimedBy.has(host)) continue;
      claimedBy.set(host, key);
      const zone = chooseZone(host, input.zones, input);
      if (zone === undefined) {
        problems.push(
          createProblem({
            ingress: key,
            field,
            value: host,
            message: noZoneMessage(host, input),
            scope: "rule",
          }),
        );
        continue;
      }
      const { resource } = described;
      records.push({ zoneId: zone.id, name: host, type: "A", alias, resource });
      if (input.target.dualstack)
        records.push({ zoneId: zone.id, name: host, type: "AAAA", alias, resource });
    }
  }
  records.sort(
    (a, b) =>
      compareStrings(a.zoneId, b.zoneId) || compareStrings(a.name, b.name) || compareStrings(a.type, b.type),
  );
  return { records, problems: sortProblems(problems) };
}
