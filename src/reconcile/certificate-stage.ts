// Certificates of one group: choose (pure), request what is missing, delete what no host needs.
// Never waits for issuance: a pending certificate requeues the group, which serves HTTP meanwhile.

import type { AcmPort } from "../aws/acm.ts";
import { readMemberAnnotations } from "../model/annotations.ts";
import {
  type CertificateChoice,
  type CertificateSummary,
  chooseCertificates,
} from "../model/certificates.ts";
import { chooseZone, type HostedZone } from "../model/dns-records.ts";
import type { Ingress } from "../model/kube-objects.ts";
import type { Owner } from "../model/ownership.ts";
import { type CertificateChange, planCertificates } from "../plan/certificate-planner.ts";

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

/** Requests the missing certificates; returns the ARNs requested. */
export async function requestCertificates(
  acm: AcmPort,
  choice: CertificateChoice,
): Promise<CertificateChange[]> {
  const requests = planCertificates(choice, { deleteUnused: false });
  for (const c of requests) {
    if (c.kind === "requestCertificate") await acm.requestCertificate(c.request);
  }
  return requests;
}

/**
 * Deletes the group's certificates no host needs, once no listener of the group serves them.
 * InUseBy naming only this cluster's load balancers is not trusted: it lags on AWS (and never clears
 * in emulators); AWS itself refuses to delete a certificate still attached, and that requeues.
 */
export async function deleteUnusedCertificates(input: {
  readonly acm: AcmPort;
  readonly choice: CertificateChoice;
  readonly listenerCertificateArns: readonly string[];
  readonly clusterLoadBalancerArns: ReadonlySet<string>;
}): Promise<CertificateChange[]> {
  const unused = input.choice.unused.map((c) => {
    const foreign = c.inUseBy.filter(
      (arn) => !input.clusterLoadBalancerArns.has(arn) && arn.includes(":loadbalancer/"),
    );
    return { ...c, inUse: foreign.length > 0, inUseBy: foreign };
  });
  const deletions = planCertificates(
    { ...input.choice, requests: [], unused },
    { listenerCertificateArns: input.listenerCertificateArns },
  ).filter((c) => c.kind === "deleteCertificate");
  for (const c of deletions) if (c.kind === "deleteCertificate") await input.acm.deleteCertificate(c.arn);
  return deletions;
}
