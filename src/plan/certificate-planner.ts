// Plan stage: ACM certificates of one group (request the missing, delete the unused), and which DNS
// validation records must stay. Pure.
//
// A certificate is deleted only once nothing uses it: ACM refuses while it is attached (AWS) or deletes
// it from under the listener (the emulator). The listener planner detaches it first; a later pass
// deletes it once ACM and the observed listeners agree it is free.

import type { CertificateChoice, CertificateRequest, CertificateSummary } from "../model/tls/certificates.ts";

/** One ACM change. */
export type CertificateChange =
  | { readonly kind: "requestCertificate"; readonly request: CertificateRequest }
  | {
      readonly kind: "deleteCertificate";
      readonly arn: string;
      readonly names: readonly string[];
      readonly reason: string;
    };

/** Options of `planCertificates`. */
export interface PlanCertificatesOptions {
  /** Certificate ARNs on the group's listeners as observed now (InUseBy lags after detaching). */
  readonly listenerCertificateArns?: readonly string[];
  /** False to never delete (an upsert-only policy). @default true */
  readonly deleteUnused?: boolean;
}

/** The ACM changes of a group: requests first, then deletions of unused certificates nothing uses. */
export function planCertificates(
  choice: CertificateChoice,
  opts: PlanCertificatesOptions = {},
): CertificateChange[] {
  const onListeners = new Set(opts.listenerCertificateArns ?? []);
  const changes: CertificateChange[] = choice.requests.map((request) => ({
    kind: "requestCertificate",
    request,
  }));
  if (opts.deleteUnused === false) return changes;
  for (const c of choice.unused) {
    if (c.inUse || c.inUseBy.length > 0 || onListeners.has(c.arn)) continue;
    changes.push({
      kind: "deleteCertificate",
      arn: c.arn,
      names: c.names,
      reason: `no TLS host of the group needs it any more (status ${c.status})`,
    });
  }
  return changes;
}

/** One human line for a certificate change, as `gannet plan` prints it. */
export function describeCertificateChange(c: CertificateChange): string {
  switch (c.kind) {
    case "requestCertificate":
      return `request certificate for ${c.request.subjectAlternativeNames.join(", ")} (${c.request.ingress})`;
    case "deleteCertificate":
      return `delete certificate ${c.arn} for ${c.names.join(", ")}: ${c.reason}`;
  }
}

/** Options of `validationRecordsToKeep`. */
export interface ValidationKeepOptions {
  /** ARNs being deleted: their records are kept only when a live certificate shares them. */
  readonly retiring?: Iterable<string>;
  /** Names of validation CNAMEs that exist (e.g. Gannet's in Route53), kept when they validate a live name. */
  readonly existing?: Iterable<string>;
}

const LIVE_STATUSES = new Set(["ISSUED", "PENDING_VALIDATION"]);

const fqdn = (name: string) => (name.endsWith(".") ? name : `${name}.`).toLowerCase();
// `*.example.com` and `example.com` are validated by the same record.
const validatedName = (name: string) => name.toLowerCase().replace(/^\*\./, "").replace(/\.$/, "");

/**
 * Names (lowercase, with the trailing dot) of the validation CNAMEs that must stay. ACM validates every
 * certificate of a name with the same CNAME, `_<hash>.<name>.`, for issue and for every renewal: it stays
 * while any live Amazon-issued certificate not being deleted has that name. Pass every certificate the
 * ACM port listed, whoever owns it, so a record that also serves a user's own certificate is kept.
 */
export function validationRecordsToKeep(
  certificates: readonly CertificateSummary[],
  opts: ValidationKeepOptions = {},
): Set<string> {
  const retiring = new Set(opts.retiring ?? []);
  const live = certificates.filter(
    (c) => c.type === "AMAZON_ISSUED" && LIVE_STATUSES.has(c.status) && !retiring.has(c.arn),
  );
  const liveNames = new Set(live.flatMap((c) => c.names.map(validatedName)));
  const keep = new Set<string>();
  for (const c of live) for (const r of c.validation) keep.add(fqdn(r.name));
  for (const c of certificates)
    for (const r of c.validation) if (liveNames.has(validatedName(r.domain))) keep.add(fqdn(r.name));
  for (const name of opts.existing ?? []) {
    // The record's first label is ACM's `_<hash>`; the rest is the name it validates.
    if (!name.startsWith("_")) continue;
    const validated = validatedName(name).split(".").slice(1).join(".");
    if (liveNames.has(validated)) keep.add(fqdn(name));
  }
  return keep;
}

/**
 * The load balancer an ELBv2 ARN belongs to (`app/<name>/<id>`): InUseBy names the ALB on AWS, and a
 * listener of it on the emulator; both are the group's own. Any other ARN is returned unchanged.
 */
export function loadBalancerIdOf(arn: string): string {
  const m =
    /^arn:[^:]+:elasticloadbalancing:[^:]*:[^:]*:(?:loadbalancer|listener|listener-rule)\/(app\/[^/]+\/[^/]+)/.exec(
      arn,
    );
  return m?.[1] ?? arn;
}

/** True for the ARN of an ALB or of one of its listeners or rules. */
export function isLoadBalancerArn(arn: string): boolean {
  return loadBalancerIdOf(arn) !== arn;
}

/** What deciding a group's certificate deletions needs. */
export interface CertificateDeletionInput {
  readonly choice: CertificateChoice;
  readonly listenerCertificateArns: readonly string[];
  readonly groupLoadBalancerArns: ReadonlySet<string>;
  /** ARNs of the ALBs that exist (any owner), when known: an InUseBy entry naming a deleted ALB holds nothing. */
  readonly liveLoadBalancerArns?: ReadonlySet<string>;
}

/**
 * The group's certificates no host needs, once no listener of the group serves them (pure: known
 * before the DNS stage retires their validation records). InUseBy entries naming this group's own ALBs
 * (or their listeners), or ALBs that no longer exist, are not trusted (AWS lags after a detach;
 * emulators never clear them); anything else in InUseBy (another group's ALB, CloudFront) keeps it.
 */
export function planCertificateDeletions(input: CertificateDeletionInput): CertificateChange[] {
  const own = new Set([...input.groupLoadBalancerArns].map(loadBalancerIdOf));
  const live = input.liveLoadBalancerArns && new Set([...input.liveLoadBalancerArns].map(loadBalancerIdOf));
  // An ALB deleted before (a crash between its deletion and the certificate's, or someone else) still
  // shows in InUseBy for a while on AWS, and for ever on the emulator.
  const gone = (arn: string) =>
    live !== undefined && isLoadBalancerArn(arn) && !live.has(loadBalancerIdOf(arn));
  const unused = input.choice.unused.map((c) => {
    const others = c.inUseBy.filter((arn) => !own.has(loadBalancerIdOf(arn)) && !gone(arn));
    return { ...c, inUse: others.length > 0, inUseBy: others };
  });
  return planCertificates(
    { ...input.choice, requests: [], unused },
    { listenerCertificateArns: input.listenerCertificateArns },
  ).filter((c) => c.kind === "deleteCertificate");
}

/**
 * Names (fqdn, lowercase, trailing dot) of the validation CNAMEs the planned deletions retire: those of
 * the deleted certificates that no live certificate shares.
 */
export function retiredValidationNames(
  all: readonly CertificateSummary[],
  deleted: readonly CertificateChange[],
): Set<string> {
  const arns = new Set(deleted.flatMap((c) => (c.kind === "deleteCertificate" ? [c.arn] : [])));
  if (arns.size === 0) return new Set();
  const keep = validationRecordsToKeep(all, { retiring: arns });
  const names = all
    .filter((c) => arns.has(c.arn))
    .flatMap((c) => c.validation.map((v) => `${v.name.replace(/\.$/, "")}.`.toLowerCase()));
  return new Set(names.filter((n) => !keep.has(n)));
}
