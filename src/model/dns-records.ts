// Model stage: the Route53 records an Ingress group should have, as ExternalDNS would publish them.
// Hosts come from `spec.rules[].host`, `spec.tls[].hosts` and the `external-dns.kubernetes.io/hostname`
// annotation; each becomes an A alias (and an AAAA alias for a dualstack ALB) to the group's ALB, in the
// most specific hosted zone of the ALB's visibility. Ownership (the TXT registry) lives in the planner.

import { z } from "zod";
import type { AliasTarget, HostedZone } from "../types/dns.ts";
import { parseAnnotationValue } from "./annotation-values.ts";
import type { Problem } from "./desired.ts";
import type { Ingress } from "./kube-objects.ts";
import { compareStrings, createProblem, objectKey, sortProblems } from "./problems.ts";

// Route53 shapes shared with observe and the adapters live in src/types; model code names them here.
export type { AliasTarget, HostedZone };

/** Annotation prefixes of ExternalDNS: the current one first, then the older alpha one. */
export const EXTERNAL_DNS_PREFIXES = [
  "external-dns.kubernetes.io/",
  "external-dns.alpha.kubernetes.io/",
] as const;

/** One alias record the group wants; `resource` is `ingress/<ns>/<name>` as ExternalDNS writes it. */
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

/** The hosts of one Ingress, with the TTL annotation and the problems found. */
export interface IngressHosts {
  readonly hosts: string[];
  readonly ttl?: number;
  readonly problems: Problem[];
}

const MAX_TTL = 2_147_483_647;
const TTL_MESSAGE = `must be a whole number of seconds from 1 to ${MAX_TTL}, or a duration like 5m`;
const DURATION_UNITS: Readonly<Record<string, number>> = {
  h: 3600,
  m: 60,
  s: 1,
  ms: 1e-3,
  us: 1e-6,
  ns: 1e-9,
};

// ExternalDNS reads the TTL as a Go duration ("10m") or as plain seconds; fractions of a second are cut.
const ttlSchema = z
  .string()
  .trim()
  .transform((raw, ctx) => {
    if (/^\d+$/.test(raw)) return Number(raw);
    if (/^(\d+(\.\d+)?(h|ms|m|s|us|ns))+$/.test(raw)) {
      let seconds = 0;
      for (const [, n = "0", , unit = "s"] of raw.matchAll(/(\d+(\.\d+)?)(h|ms|m|s|us|ns)/g)) {
        seconds += Number(n) * (DURATION_UNITS[unit] ?? 1);
      }
      return Math.floor(seconds);
    }
    ctx.addIssue({ code: "custom", message: TTL_MESSAGE });
    return z.NEVER;
  })
  .pipe(z.number().int().min(1, { error: TTL_MESSAGE }).max(MAX_TTL, { error: TTL_MESSAGE }));

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

function annotationEntry(
  annotations: Readonly<Record<string, string>> | undefined,
  name: string,
): { key: string; value: string } | undefined {
  for (const prefix of EXTERNAL_DNS_PREFIXES) {
    const value = annotations?.[`${prefix}${name}`];
    if (value !== undefined) return { key: `${prefix}${name}`, value };
  }
  return undefined;
}

/** The hosts of an Ingress, each with the field it first came from; invalid ones become problems. */
export function collectIngressHosts(ingress: Ingress): {
  sources: Map<string, string>;
  ttl?: number;
  problems: Problem[];
} {
  const key = objectKey(ingress);
  const sources = new Map<string, string>();
  const problems: Problem[] = [];
  const add = (raw: string, field: string) => {
    const host = normalizeHost(raw);
    if (host === "") return;
    if (!isValidHost(host)) {
      problems.push(
        createProblem({
          ingress: key,
          field,
          value: raw,
          message:
            `${JSON.stringify(raw)} is not a valid DNS name: use letters, digits and "-" in labels of at ` +
            `most 63 characters separated by ".", with "*." only at the start`,
          scope: "rule",
        }),
      );
      return;
    }
    if (!sources.has(host)) sources.set(host, field);
  };
  (ingress.spec.rules ?? []).forEach((rule, i) => {
    if (rule.host !== undefined) add(rule.host, `spec.rules[${i}].host`);
  });
  (ingress.spec.tls ?? []).forEach((tls, i) => {
    (tls.hosts ?? []).forEach((host, j) => {
      add(host, `spec.tls[${i}].hosts[${j}]`);
    });
  });
  const annotations = ingress.metadata.annotations;
  const hostname = annotationEntry(annotations, "hostname");
  if (hostname) {
    for (const host of hostname.value.split(",")) add(host, `metadata.annotations['${hostname.key}']`);
  }
  const ttlEntry = annotationEntry(annotations, "ttl");
  if (ttlEntry === undefined) return { sources, problems };
  const ttl = parseAnnotationValue(ttlSchema, ttlEntry.value);
  if (ttl.ok) return { sources, ttl: ttl.value, problems };
  problems.push(
    createProblem({
      ingress: key,
      field: `metadata.annotations['${ttlEntry.key}']`,
      value: ttlEntry.value,
      message: ttl.message,
      scope: "rule",
    }),
  );
  return { sources, problems };
}

/** The hosts ExternalDNS would publish for an Ingress: lowercase, de-duplicated, sorted. */
export function hostsOfIngress(ingress: Ingress): IngressHosts {
  const { sources, ttl, problems } = collectIngressHosts(ingress);
  const hosts = [...sources.keys()].sort(compareStrings);
  return ttl === undefined ? { hosts, problems } : { hosts, ttl, problems };
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

/** Input of `buildDesiredRecords`. */
export interface DesiredRecordsInput extends ZoneFilters {
  /** Live members of the group, in group order. */
  readonly members: readonly { readonly ingress: Ingress }[];
  /** The group's ALB: its DNS name and canonical hosted zone. */
  readonly target: { readonly dnsName: string; readonly hostedZoneId: string; readonly dualstack: boolean };
  readonly zones: readonly HostedZone[];
  /** True for an internal ALB: records go to private zones. */
  readonly private: boolean;
}

/** The `resource` label ExternalDNS writes for an Ingress. */
export function ingressResource(ingress: Ingress): string {
  return `ingress/${ingress.metadata.namespace}/${ingress.metadata.name}`;
}

function noZoneMessage(host: string, input: DesiredRecordsInput): string {
  const kind = input.private ? "private" : "public";
  const filtered =
    (input.domainFilters?.length ?? 0) + (input.zoneIdFilters?.length ?? 0) > 0
      ? " within the configured domain and zone id filters"
      : "";
  const how = input.private ? `a ${kind} zone associated with the ALB's VPC` : `a ${kind} zone`;
  return `no ${kind} hosted zone${filtered} contains host ${JSON.stringify(host)}: create ${how} for it, or remove the host`;
}

/** An A alias per host (and AAAA for a dualstack ALB); the first member in group order owns a host. */
export function buildDesiredRecords(input: DesiredRecordsInput): {
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
  for (const { ingress } of input.members) {
    const key = objectKey(ingress);
    const found = collectIngressHosts(ingress);
    problems.push(...found.problems);
    for (const host of [...found.sources.keys()].sort(compareStrings)) {
      const field = found.sources.get(host) ?? "spec.rules";
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
      const resource = ingressResource(ingress);
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
