// Ingress front end: the TLS hosts of an Ingress (`spec.tls[].hosts`) and its `certificate-arn`, described
// for the certificate choice (certificates.ts). The Secret named in `spec.tls` is ignored: an ALB cannot
// serve a Kubernetes Secret.

import type { HostRef, TlsDescription } from "../../../model/description.ts";
import type { Problem } from "../../../model/desired.ts";
import type { Ingress } from "../../../model/kube-objects.ts";
import type { Owner } from "../../../model/ownership.ts";
import { createProblem, objectKey } from "../../../model/problems.ts";
import {
  type CertificateChoice,
  type CertificateSummary,
  chooseHostCertificates,
} from "../../../model/tls/certificates.ts";
import { normalizeHost } from "../routes/paths.ts";

/** One live member of the group, with its parsed `certificate-arn` annotation when set. */
export interface CertificateMember {
  readonly ingress: Ingress;
  readonly certificateArns?: readonly string[];
}

/** Input of `chooseCertificates`. */
export interface ChooseCertificatesInput {
  readonly owner: Owner;
  /** Live members in group order. */
  readonly members: readonly CertificateMember[];
  readonly certificates: readonly CertificateSummary[];
  /** False for hosts whose DNS validation Gannet cannot write (no public hosted zone): never requested. */
  readonly canValidate?: (host: string) => boolean;
}

function tlsHostEntries(ingress: Ingress): { hosts: HostRef[]; problems: Problem[] } {
  const hosts: HostRef[] = [];
  const problems: Problem[] = [];
  const seen = new Set<string>();
  (ingress.spec.tls ?? []).forEach((tls, i) => {
    (tls.hosts ?? []).forEach((raw, j) => {
      const field = `spec.tls[${i}].hosts[${j}]`;
      const host = normalizeHost(raw);
      if (host === undefined) {
        problems.push(
          createProblem({
            ingress: objectKey(ingress),
            field,
            value: raw,
            message:
              "must be a DNS name like app.example.com or *.example.com; no certificate is chosen for it",
            scope: "rule",
          }),
        );
      } else if (!seen.has(host)) {
        seen.add(host);
        hosts.push({ host, field });
      }
    });
  });
  return { hosts, problems };
}

/** The TLS hosts of an Ingress (`spec.tls[].hosts`): lowercase, deduplicated, in order; bad ones as Problems. */
export function tlsHostsOf(ingress: Ingress): { hosts: string[]; problems: Problem[] } {
  const { hosts, problems } = tlsHostEntries(ingress);
  return { hosts: hosts.map((h) => h.host), problems };
}

/** The TLS description of one member: its hosts (with their fields) and the certificates it names. */
export function describeTls(ingress: Ingress, certificateArns?: readonly string[]): TlsDescription {
  const { hosts, problems } = tlsHostEntries(ingress);
  return certificateArns === undefined
    ? { member: objectKey(ingress), hosts, problems }
    : { member: objectKey(ingress), hosts, certificateArns, problems };
}

/** Chooses the certificates of an Ingress group (see `chooseHostCertificates`). */
export function chooseCertificates(input: ChooseCertificatesInput): CertificateChoice {
  const { members, ...rest } = input;
  return chooseHostCertificates({
    ...rest,
    tls: members.map((m) => describeTls(m.ingress, m.certificateArns)),
  });
}
