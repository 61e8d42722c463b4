// Ingress front end: the hosts an Ingress publishes in DNS, as ExternalDNS reads them: `spec.rules[].host`,
// `spec.tls[].hosts` and the `external-dns.kubernetes.io/hostname` annotation, with its `ttl`; described
// for the records (dns-records.ts).

import type { HostnameDescription } from "../../../model/description.ts";
import type { Problem } from "../../../model/desired.ts";
import {
  buildGroupRecords,
  type DesiredRecord,
  type HostedZone,
  isValidHost,
  normalizeHost,
  type ZoneFilters,
} from "../../../model/dns/dns-records.ts";
import type { Ingress } from "../../../model/kube-objects.ts";
import { compareStrings, createProblem, objectKey } from "../../../model/problems.ts";
import { EXTERNAL_DNS_ANNOTATIONS, EXTERNAL_DNS_PREFIXES } from "../annotations/annotation-registry.ts";
import { parseAnnotationValue } from "../annotations/annotation-values.ts";

/** The hosts of one Ingress, with the TTL annotation and the problems found. */
export interface IngressHosts {
  readonly hosts: string[];
  readonly ttl?: number;
  readonly problems: Problem[];
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
  const hostname = annotationEntry(annotations, EXTERNAL_DNS_ANNOTATIONS.hostname.name);
  if (hostname) {
    for (const host of hostname.value.split(",")) add(host, `metadata.annotations['${hostname.key}']`);
  }
  const ttlEntry = annotationEntry(annotations, EXTERNAL_DNS_ANNOTATIONS.ttl.name);
  if (ttlEntry === undefined) return { sources, problems };
  const ttl = parseAnnotationValue(EXTERNAL_DNS_ANNOTATIONS.ttl.schema, ttlEntry.value);
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

/** The `resource` label ExternalDNS writes for an Ingress. */
export function ingressResource(ingress: Ingress): string {
  return `ingress/${ingress.metadata.namespace}/${ingress.metadata.name}`;
}

/** The hostname description of one member. */
export function describeHostnames(ingress: Ingress): HostnameDescription {
  const { sources, ttl, problems } = collectIngressHosts(ingress);
  const member = objectKey(ingress);
  const hosts = [...sources].map(([host, field]) => ({ host, field }));
  const resource = ingressResource(ingress);
  return ttl === undefined
    ? { member, resource, hosts, problems }
    : { member, resource, hosts, ttl, problems };
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

/** An A alias per host (and AAAA for a dualstack ALB) of an Ingress group (see `buildGroupRecords`). */
export function buildDesiredRecords(input: DesiredRecordsInput): {
  records: DesiredRecord[];
  problems: Problem[];
} {
  const { members, ...rest } = input;
  return buildGroupRecords({ ...rest, hostnames: members.map((m) => describeHostnames(m.ingress)) });
}
