// Certificates of one group: choose (pure), request what is missing, delete what no host needs.
// Never waits for issuance: a pending certificate requeues the group, which serves HTTP meanwhile.

import { randomUUID } from "node:crypto";
import type { AcmPort } from "../aws/acm.ts";
import type { Problem } from "../model/desired.ts";
import { chooseZone, type HostedZone } from "../model/dns/dns-records.ts";
import type { Ingress } from "../model/kube-objects.ts";
import { type Owner, shortHash } from "../model/ownership.ts";
import type { CertificateChoice, CertificateSummary } from "../model/tls/certificates.ts";
import { type CertificateChange, planCertificates } from "../plan/certificate-planner.ts";
import { readMemberAnnotations } from "../sources/ingress/annotations/annotations.ts";
import { chooseCertificates } from "../sources/ingress/hosts/tls-hosts.ts";

/** Chooses the certificates that serve the TLS hosts of the live members. Pure. */
export function chooseGroupCertificates(
  owner: Owner,
  live: readonly Ingress[],
  certificates: readonly CertificateSummary[],
  zones: readonly HostedZone[],
): CertificateChoice {
  return chooseCertificates({
    canValidate: (host) => chooseZone(host.replace(/^\*\./, ""), zones, { private: false }) !== undefined,
    owner,
    members: live.map((ingress) => {
      const arns = readMemberAnnotations(ingress).settings.certificateArns;
      return arns?.length ? { ingress, certificateArns: arns } : { ingress };
    }),
    certificates,
  });
}

/** What a certificate step did, and the problems it met (reported on the Ingress, never blocking). */
export interface CertificateStepResult {
  readonly changes: readonly CertificateChange[];
  readonly problems: readonly Problem[];
}

function failureProblem(ingress: string, what: string, err: unknown): Problem {
  const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return {
    ingress,
    field: "spec.tls",
    value: what,
    message: `ACM refused to ${what} (${detail}); the rest of the group converged, and Gannet tries again on the next reconcile`,
    scope: "rule",
  };
}

/**
 * The IdempotencyToken of one request: the model's token salted once per request. It keeps the call
 * layer's retries of that request to one certificate, while a later request for the same names (after
 * the certificate was deleted, by Gannet as unused or by anyone) gets a new one: ACM would answer a
 * reused token with the deleted certificate for an hour (the emulator fails with a 500). A re-request
 * after a crash needs no token: the certificate carries its tags from the request on, so the next
 * reconcile finds it, and a duplicate from a listing that lags is retired as unused.
 */
function requestToken(base: string): string {
  return shortHash([base, randomUUID()], 32);
}

/** Requests the missing certificates, one by one: a refused request is reported on its Ingress only. */
export async function requestCertificates(
  acm: AcmPort,
  choice: CertificateChoice,
): Promise<CertificateStepResult> {
  const changes: CertificateChange[] = [];
  const problems: Problem[] = [];
  for (const c of planCertificates(choice, { deleteUnused: false })) {
    if (c.kind !== "requestCertificate") continue;
    try {
      await acm.requestCertificate({
        ...c.request,
        idempotencyToken: requestToken(c.request.idempotencyToken),
      });
      changes.push(c);
    } catch (err) {
      problems.push(
        failureProblem(
          c.request.ingress,
          `request a certificate for ${c.request.subjectAlternativeNames.join(", ")}`,
          err,
        ),
      );
    }
  }
  return { changes, problems };
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

/** Deletes the planned certificates; a refused deletion is reported on `reportOn`, and never holds a finalizer. */
export async function deleteUnusedCertificates(input: {
  readonly acm: AcmPort;
  readonly deletions: readonly CertificateChange[];
  readonly reportOn: string;
}): Promise<CertificateStepResult> {
  const changes: CertificateChange[] = [];
  const problems: Problem[] = [];
  for (const c of input.deletions) {
    if (c.kind !== "deleteCertificate") continue;
    try {
      await input.acm.deleteCertificate(c.arn);
      changes.push(c);
    } catch (err) {
      problems.push(failureProblem(input.reportOn, `delete certificate ${c.arn}`, err));
    }
  }
  return { changes, problems };
}
