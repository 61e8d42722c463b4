// Model stage: which ACM certificate serves each TLS host of a group (described by its front end). Pure.
//
// Per host, an ISSUED certificate naming the host exactly wins over a wildcard (AWS LBC prefers
// wildcards and attaches every match: #4850, #3934); ties go to the group's own certificate, then the
// fewest names, then the ARN. Only certificates that cover a host are attached. A host without an
// ISSUED cover waits for the group's own pending certificate, or gets a new request. The Secret named
// in `spec.tls` is ignored: an ALB cannot serve a Kubernetes Secret.

import type { HostRef, TlsDescription } from "../description.ts";
import type { Problem } from "../desired.ts";
import { buildOwnershipTags, isOwnedBy, type Owner, shortHash, TAG } from "../ownership.ts";
import { compareStrings, createProblem } from "../problems.ts";

/** The ownership role of the certificates Gannet requests. */
export const CERTIFICATE_ROLE = "certificate";

/** ACM's default quota of names (domain plus SANs) per certificate. */
export const MAX_NAMES_PER_CERTIFICATE = 10;

/** ACM writes the first name into the certificate's CN, which allows at most 64 characters. */
export const MAX_DOMAIN_NAME_LENGTH = 64;

/** A DNS record ACM asks for to validate a name. */
export interface ValidationRecord {
  readonly name: string;
  readonly type: string;
  readonly value: string;
}

/** One ACM certificate as the ACM port reads it. */
export interface CertificateSummary {
  readonly arn: string;
  readonly domainName: string;
  /** The domain name and SANs: lowercase, deduplicated. */
  readonly names: readonly string[];
  /** ISSUED, PENDING_VALIDATION, FAILED, EXPIRED, VALIDATION_TIMED_OUT, REVOKED, INACTIVE. */
  readonly status: string;
  readonly type: "AMAZON_ISSUED" | "IMPORTED" | "PRIVATE" | string;
  /** True when ListCertificates says something uses it. */
  readonly inUse: boolean;
  /** ARNs that use it; read (DescribeCertificate) only for certificates carrying Gannet's tags. */
  readonly inUseBy: readonly string[];
  /** Tags; read only for Amazon-issued certificates (the only kind Gannet requests), else empty. */
  readonly tags: Readonly<Record<string, string>>;
  /** Validation records whose ResourceRecord ACM has published, per name of the certificate. */
  readonly validation: readonly (ValidationRecord & { readonly domain: string })[];
}

/** A certificate to request (DNS validation). */
export interface CertificateRequest {
  readonly domainName: string;
  /** Every name of the certificate, `domainName` included. */
  readonly subjectAlternativeNames: readonly string[];
  /** Alphanumeric, ≤ 32 characters, derived from cluster, group and names: ACM honours it for an hour. */
  readonly idempotencyToken: string;
  readonly tags: Readonly<Record<string, string>>;
  /** The Ingress (`namespace/name`) whose hosts need it. */
  readonly ingress: string;
}

/** A certificate of the group still waiting for DNS validation, and the records it waits for. */
export interface PendingCertificate {
  readonly arn: string;
  readonly names: readonly string[];
  readonly validation: readonly ValidationRecord[];
}

/** The certificates of one group. */
export interface CertificateChoice {
  /** ARNs for the HTTPS listeners: the default certificate first, the rest sorted. */
  readonly attach: readonly string[];
  readonly requests: readonly CertificateRequest[];
  readonly pending: readonly PendingCertificate[];
  /** The group's own certificates that no host needs any more. */
  readonly unused: readonly CertificateSummary[];
  readonly problems: readonly Problem[];
}

/**
 * The load balancer an ACM `InUseBy` entry stands for: AWS names the load balancer, the emulator the
 * listener (`…:listener/app/<name>/<id>/<listener id>`), which maps to `…:loadbalancer/app/<name>/<id>`.
 * Other ARNs (CloudFront, API Gateway) are returned as they are.
 */
export function inUseByLoadBalancerArn(arn: string): string {
  const m = /^(arn:[^:]+:elasticloadbalancing:[^:]*:[^:]*:)listener\/(app\/[^/]+\/[^/]+)\/[^/]+$/.exec(arn);
  return m ? `${m[1]}loadbalancer/${m[2]}` : arn;
}

/** True when a certificate name serves `host`: the same name, or a wildcard one label above it. */
export function covers(certName: string, host: string): boolean {
  const name = certName.toLowerCase();
  const h = host.toLowerCase();
  if (name === h) return true;
  if (!name.startsWith("*.")) return false;
  const dot = h.indexOf(".");
  return dot > 0 && h.slice(dot + 1) === name.slice(2);
}

const coversHost = (c: CertificateSummary, host: string) => c.names.some((n) => covers(n, host));

/** Orders candidates: the group's own first, then fewest names, then ARN. */
function preferOwn(owned: (c: CertificateSummary) => boolean) {
  return (a: CertificateSummary, b: CertificateSummary) =>
    Number(!owned(a)) - Number(!owned(b)) || a.names.length - b.names.length || compareStrings(a.arn, b.arn);
}

/** Builds the requests for one member's uncovered hosts: sorted, at most 10 names per certificate. */
function buildRequests(
  owner: Owner,
  ingress: string,
  hosts: readonly HostRef[],
): { requests: CertificateRequest[]; problems: Problem[] } {
  const requests: CertificateRequest[] = [];
  const problems: Problem[] = [];
  const requestable: HostRef[] = [];
  for (const h of hosts) {
    // ACM requires a fully qualified name: at least two labels besides a leading `*`.
    if (h.host.replace(/^\*\./, "").includes(".")) requestable.push(h);
    else
      problems.push(
        createProblem({
          ingress,
          field: h.field,
          value: h.host,
          message:
            "ACM issues certificates only for fully qualified names like app.example.com; set the certificate-arn annotation or use a full name",
          scope: "rule",
        }),
      );
  }
  const sorted = requestable.sort((a, b) => compareStrings(a.host, b.host));
  for (let i = 0; i < sorted.length; i += MAX_NAMES_PER_CERTIFICATE) {
    const chunk = sorted.slice(i, i + MAX_NAMES_PER_CERTIFICATE);
    const names = chunk.map((h) => h.host);
    const domainName = names.find((n) => n.length <= MAX_DOMAIN_NAME_LENGTH);
    if (domainName === undefined) {
      for (const h of chunk)
        problems.push(
          createProblem({
            ingress,
            field: h.field,
            value: h.host,
            message: `ACM needs one name of at most ${MAX_DOMAIN_NAME_LENGTH} characters per certificate; add a shorter TLS host or set the certificate-arn annotation`,
            scope: "rule",
          }),
        );
      continue;
    }
    requests.push({
      domainName,
      subjectAlternativeNames: [domainName, ...names.filter((n) => n !== domainName)],
      idempotencyToken: certificateRequestToken(owner, names),
      tags: buildOwnershipTags(owner, CERTIFICATE_ROLE, certificateKey(names)),
      ingress,
    });
  }
  return { requests, problems };
}

/** The idempotency token of a request: 32 hex characters of (cluster, group, sorted names). */
export function certificateRequestToken(owner: Owner, names: readonly string[]): string {
  return shortHash([owner.cluster, owner.group, ...[...names].sort(compareStrings)], 32);
}

/** The `gannet.io/key` tag of a certificate: its sorted names, in the characters ACM tag values allow. */
export function certificateKey(names: readonly string[]): string {
  // ACM tag values allow letters, digits, spaces and _.:/=+-@ only: no "," and no "*".
  return [...names]
    .sort(compareStrings)
    .map((n) => n.replace(/^\*\./, "_."))
    .join(" ")
    .slice(0, 256);
}

/** True when the certificate was requested by Gannet for exactly this cluster and group. */
export function isGroupCertificate(c: CertificateSummary, owner: Owner): boolean {
  return isOwnedBy(c.tags, owner) && c.tags[TAG.resource] === CERTIFICATE_ROLE;
}

/** How one host is served. */
type HostCover =
  | { readonly kind: "issued" | "pending" | "failed"; readonly cert: CertificateSummary }
  | { readonly kind: "none" };

/** An ISSUED certificate (exact name before wildcard), else the group's pending one, else its failed one. */
function coverOf(
  host: string,
  certificates: readonly CertificateSummary[],
  own: (c: CertificateSummary) => boolean,
): HostCover {
  const byPreference = preferOwn(own);
  const best = (keep: (c: CertificateSummary) => boolean) => certificates.filter(keep).sort(byPreference)[0];
  const issued =
    best((c) => c.status === "ISSUED" && c.names.includes(host)) ??
    best((c) => c.status === "ISSUED" && coversHost(c, host));
  if (issued) return { kind: "issued", cert: issued };
  const pending = best((c) => own(c) && c.status === "PENDING_VALIDATION" && coversHost(c, host));
  if (pending) return { kind: "pending", cert: pending };
  const failed = best((c) => own(c) && c.status === "FAILED" && coversHost(c, host));
  return failed ? { kind: "failed", cert: failed } : { kind: "none" };
}

function noZoneProblem(ingress: string, h: HostRef): Problem {
  return createProblem({
    ingress,
    field: h.field,
    value: h.host,
    message: `no hosted zone for host ${JSON.stringify(h.host)}: create a public Route53 zone that contains it (Gannet then requests and validates a certificate), or set alb.ingress.kubernetes.io/certificate-arn`,
    scope: "rule",
  });
}

function failedProblem(ingress: string, h: HostRef, arn: string): Problem {
  return createProblem({
    ingress,
    field: h.field,
    value: h.host,
    message: `ACM could not issue certificate ${arn} (status FAILED): read its failure reason with "aws acm describe-certificate", fix the cause (for example a CAA record), then delete the certificate so Gannet requests a new one`,
    scope: "rule",
  });
}

/** Input of `chooseHostCertificates`. */
export interface ChooseHostCertificatesInput {
  readonly owner: Owner;
  /** The TLS hosts of the live members, in group order. */
  readonly tls: readonly TlsDescription[];
  readonly certificates: readonly CertificateSummary[];
  /** False for hosts whose DNS validation Gannet cannot write (no public hosted zone): never requested. */
  readonly canValidate?: (host: string) => boolean;
}

/** Chooses the certificates of a group: what to attach, request, wait for and retire. */
export function chooseHostCertificates(input: ChooseHostCertificatesInput): CertificateChoice {
  const own = (c: CertificateSummary) => isGroupCertificate(c, input.owner);
  const attached: string[] = [];
  const pending = new Map<string, CertificateSummary>();
  const kept = new Set<string>();
  const requested = new Set<string>();
  const requests: CertificateRequest[] = [];
  const problems: Problem[] = [];
  const attach = (arn: string) => {
    if (!attached.includes(arn)) attached.push(arn);
  };

  for (const tls of input.tls) {
    const ingress = tls.member;
    problems.push(...tls.problems);
    if (tls.certificateArns !== undefined && tls.certificateArns.length > 0) {
      for (const arn of tls.certificateArns) attach(arn);
      continue;
    }
    const uncovered: HostRef[] = [];
    for (const h of tls.hosts) {
      const cover = coverOf(h.host, input.certificates, own);
      if (cover.kind === "issued") attach(cover.cert.arn);
      else if (cover.kind === "pending") pending.set(cover.cert.arn, cover.cert);
      else if (cover.kind === "failed") {
        // Requesting again within the hour would return the same failed certificate: the user must act.
        kept.add(cover.cert.arn);
        problems.push(failedProblem(ingress, h, cover.cert.arn));
      } else if (input.canValidate && !input.canValidate(h.host)) {
        // DNS validation could never complete: requesting would leave a certificate pending for 72 h.
        problems.push(noZoneProblem(ingress, h));
      } else if (!requested.has(h.host)) {
        requested.add(h.host);
        uncovered.push(h);
      }
    }
    const built = buildRequests(input.owner, ingress, uncovered);
    requests.push(...built.requests);
    problems.push(...built.problems);
  }

  const [first, ...rest] = attached;
  const needed = new Set([...attached, ...pending.keys(), ...kept]);
  return {
    attach: first === undefined ? [] : [first, ...rest.sort(compareStrings)],
    requests,
    pending: [...pending.values()]
      .sort((a, b) => compareStrings(a.arn, b.arn))
      .map((c) => ({ arn: c.arn, names: c.names, validation: uniqueRecords(c.validation) })),
    unused: input.certificates
      .filter((c) => own(c) && !needed.has(c.arn))
      .sort((a, b) => compareStrings(a.arn, b.arn)),
    problems,
  };
}

function uniqueRecords(records: readonly ValidationRecord[]): ValidationRecord[] {
  const byKey = new Map<string, ValidationRecord>();
  for (const r of records) {
    const record = { name: r.name.toLowerCase(), type: r.type, value: r.value };
    byKey.set(`${record.name} ${record.type} ${record.value}`, record);
  }
  return [...byKey.values()].sort(
    (a, b) => compareStrings(a.name, b.name) || compareStrings(a.value, b.value),
  );
}

/** The CNAME records the pending certificates need, deduplicated (one CNAME serves every certificate of a name). */
export function validationRecordsNeeded(choice: CertificateChoice): ValidationRecord[] {
  return uniqueRecords(choice.pending.flatMap((p) => p.validation).filter((r) => r.type === "CNAME"));
}
