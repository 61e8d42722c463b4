// AWS adapter: the narrow ACM port (certificates for discovery, requests and cleanup).
//
// Calls per `listCertificates`: ListCertificates per page, ListTagsForCertificate only for Amazon-issued
// certificates (Gannet never imports), and DescribeCertificate only where the list is not enough: for
// certificates carrying Gannet's tags (validation records, InUseBy) and for ISSUED ones whose list entry
// does not give every name.

import {
  type ACMClient,
  type CertificateDetail,
  type CertificateStatus,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  type KeyAlgorithm,
  ListTagsForCertificateCommand,
  paginateListCertificates,
  RequestCertificateCommand,
  ResourceNotFoundException,
  type CertificateSummary as SdkCertificateSummary,
} from "@aws-sdk/client-acm";
import { TAG } from "../model/ownership.ts";
import { compareStrings } from "../model/problems.ts";
import type { CertificateRequest, CertificateSummary } from "../model/tls/certificates.ts";
import { tagList, tagMap } from "./elbv2-convert.ts";

// Without `CertificateStatuses` and `Includes.keyTypes`, ListCertificates hides every certificate that
// is not RSA_1024 or RSA_2048 (AWS's default filter), EC certificates among them.
const STATUSES: CertificateStatus[] = [
  "ISSUED",
  "PENDING_VALIDATION",
  "FAILED",
  "EXPIRED",
  "VALIDATION_TIMED_OUT",
  "REVOKED",
  "INACTIVE",
];
const KEY_TYPES: KeyAlgorithm[] = [
  "RSA_1024",
  "RSA_2048",
  "RSA_3072",
  "RSA_4096",
  "EC_prime256v1",
  "EC_secp384r1",
  "EC_secp521r1",
];

// ACM allows 10 DescribeCertificate and ListTagsForCertificate calls per second per account.
const CONCURRENCY = 4;

/** Runs `fn` over `items` with at most `limit` calls in flight, keeping the order of `items`. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

const isNotFound = (err: unknown) => err instanceof ResourceNotFoundException;

function uniqueLower(names: readonly (string | undefined)[]): string[] {
  return [...new Set(names.filter((n): n is string => !!n).map((n) => n.toLowerCase()))];
}

function toSummary(
  arn: string,
  s: SdkCertificateSummary,
  detail: CertificateDetail | undefined,
  tags: Record<string, string>,
): CertificateSummary {
  const domainName = detail?.DomainName ?? s.DomainName ?? "";
  const inUseBy = detail?.InUseBy ?? [];
  return {
    arn,
    domainName,
    names: uniqueLower([
      domainName,
      ...(detail?.SubjectAlternativeNames ?? s.SubjectAlternativeNameSummaries ?? []),
    ]),
    status: detail?.Status ?? s.Status ?? "",
    type: detail?.Type ?? s.Type ?? "",
    inUse: s.InUse === true || inUseBy.length > 0,
    inUseBy,
    tags,
    validation: (detail?.DomainValidationOptions ?? []).flatMap((o) =>
      o.ResourceRecord?.Name && o.ResourceRecord.Value
        ? [
            {
              domain: (o.DomainName ?? "").toLowerCase(),
              name: o.ResourceRecord.Name.toLowerCase(),
              type: o.ResourceRecord.Type ?? "CNAME",
              value: o.ResourceRecord.Value,
            },
          ]
        : [],
    ),
  };
}

/** The ACM calls Gannet makes. */
export class AcmPort {
  private readonly client: ACMClient;

  constructor(client: ACMClient) {
    this.client = client;
  }

  /** Every certificate of the region, any status or key type, sorted by ARN. */
  async listCertificates(): Promise<CertificateSummary[]> {
    const summaries: SdkCertificateSummary[] = [];
    const pages = paginateListCertificates(
      { client: this.client },
      { CertificateStatuses: STATUSES, Includes: { keyTypes: KEY_TYPES }, MaxItems: 1000 },
    );
    for await (const res of pages) summaries.push(...(res.CertificateSummaryList ?? []));
    const read = await mapLimit(summaries, CONCURRENCY, (s) => this.readCertificate(s));
    return read
      .filter((c): c is CertificateSummary => c !== undefined)
      .sort((a, b) => compareStrings(a.arn, b.arn));
  }

  /** Reads what the list entry lacks; undefined when the certificate was deleted meanwhile. */
  private async readCertificate(s: SdkCertificateSummary): Promise<CertificateSummary | undefined> {
    const arn = s.CertificateArn;
    if (!arn) return undefined;
    try {
      const tags = s.Type === "AMAZON_ISSUED" ? await this.tagsOf(arn) : {};
      const namesListed =
        s.SubjectAlternativeNameSummaries !== undefined && !s.HasAdditionalSubjectAlternativeNames;
      const describe = TAG.cluster in tags || (s.Status === "ISSUED" && !namesListed);
      const detail = describe
        ? (await this.client.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate
        : undefined;
      return toSummary(arn, s, detail, tags);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async tagsOf(arn: string): Promise<Record<string, string>> {
    const res = await this.client.send(new ListTagsForCertificateCommand({ CertificateArn: arn }));
    return tagMap(res.Tags);
  }

  /** Requests an RSA 2048 certificate validated by DNS; returns its ARN (the same one for a repeated token). */
  async requestCertificate(
    request: Pick<CertificateRequest, "domainName" | "subjectAlternativeNames" | "idempotencyToken" | "tags">,
  ): Promise<string> {
    const res = await this.client.send(
      new RequestCertificateCommand({
        DomainName: request.domainName,
        SubjectAlternativeNames: [...request.subjectAlternativeNames],
        ValidationMethod: "DNS",
        KeyAlgorithm: "RSA_2048",
        IdempotencyToken: request.idempotencyToken,
        Tags: tagList(request.tags),
      }),
    );
    if (!res.CertificateArn) throw new Error(`RequestCertificate for ${request.domainName} returned no ARN`);
    return res.CertificateArn;
  }

  /** Deletes a certificate; one already gone counts as deleted. ResourceInUseException is passed on. */
  async deleteCertificate(arn: string): Promise<void> {
    try {
      await this.client.send(new DeleteCertificateCommand({ CertificateArn: arn }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
