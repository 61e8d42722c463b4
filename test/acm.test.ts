// ACM on the real testbed: Gannet requests a certificate through its port and finds it again by its
// tags with its validation CNAME; certificates found in the account are chosen exact before wildcard;
// an unused Gannet certificate is deleted, the account's own never are.

import { afterAll, describe, expect, it } from "vitest";
import { AcmPort } from "../src/aws/acm.ts";
import type { Ingress } from "../src/model/kube-objects.ts";
import { type Owner, TAG } from "../src/model/ownership.ts";
import { type CertificateSummary, validationRecordsNeeded } from "../src/model/tls/certificates.ts";
import { planCertificates } from "../src/plan/certificate-planner.ts";
import { chooseCertificates } from "../src/sources/ingress/hosts/tls-hosts.ts";
import { awsClients, uniqueSuffix } from "./support/testbed.ts";

const aws = awsClients();
const acm = new AcmPort(aws.acm);
const suffix = uniqueSuffix();
const zone = `acm-${suffix}.gannet.example.com`;
// A cluster name of its own: no other test's certificate can be this cluster's.
const owner: Owner = { cluster: `acm-test-${suffix}`, group: "shop" };
const created: string[] = [];

function tlsIngress(name: string, hosts: string[]): Ingress {
  return { metadata: { namespace: "apps", name }, spec: { tls: [{ hosts, secretName: "unused" }] } };
}

async function listed(arn: string): Promise<CertificateSummary | undefined> {
  return (await acm.listCertificates()).find((c) => c.arn === arn);
}

/** Polls until every ARN is listed as ISSUED (the emulator issues after MOTO_ACM_VALIDATION_WAIT, ≤ 10 s). */
async function waitIssued(arns: string[]): Promise<CertificateSummary[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const all = await acm.listCertificates();
    const found = arns.map((arn) => all.find((c) => c.arn === arn));
    if (found.every((c) => c?.status === "ISSUED")) return found as CertificateSummary[];
    if (Date.now() > deadline)
      throw new Error(`certificates not ISSUED after 20 s: ${JSON.stringify(found.map((c) => c?.status))}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

afterAll(async () => {
  for (const arn of created) await acm.deleteCertificate(arn);
  aws.acm.destroy();
});

describe("ACM port and certificate choice on the testbed", () => {
  let ownedArn = "";
  let exactArn = "";
  let wildcardArn = "";

  it("requests the certificate a TLS host needs, once for a repeated token, and lists it with its tags and CNAME", async () => {
    const host = `app.${zone}`;
    const choice = chooseCertificates({
      owner,
      members: [{ ingress: tlsIngress("web", [host]) }],
      certificates: [],
    });
    const request = choice.requests[0];
    if (!request) throw new Error(`expected one request, got ${JSON.stringify(choice)}`);

    ownedArn = await acm.requestCertificate(request);
    created.push(ownedArn);
    const again = await acm.requestCertificate(request);
    const cert = await listed(ownedArn);

    expect(again).toBe(ownedArn);
    expect(cert).toMatchObject({
      domainName: host,
      names: [host],
      type: "AMAZON_ISSUED",
      tags: {
        [TAG.cluster]: owner.cluster,
        [TAG.group]: owner.group,
        [TAG.resource]: "certificate",
        [TAG.key]: host,
      },
    });
    expect(cert?.validation).toEqual([
      {
        domain: host,
        name: expect.stringMatching(new RegExp(`^_[a-z0-9]+\\.${host.replaceAll(".", "\\.")}\\.$`)),
        type: "CNAME",
        value: expect.any(String),
      },
    ]);
    const [issued] = await waitIssued([ownedArn]);
    expect(issued?.status).toBe("ISSUED");
  });

  it("reads tags only for Amazon-issued certificates and describes only Gannet's", async () => {
    const before = aws.stats.snapshot();

    const all = await acm.listCertificates();

    const calls = aws.stats.since(before);
    expect(calls["ACM:ListCertificates"]).toBe(1);
    expect(calls["ACM:ListTagsForCertificate"] ?? 0).toBe(
      all.filter((c) => c.type === "AMAZON_ISSUED").length,
    );
    expect(calls["ACM:DescribeCertificate"] ?? 0).toBe(all.filter((c) => TAG.cluster in c.tags).length);
  });

  it("prefers a certificate found in the account that names the host exactly, and uses a wildcard for the rest", async () => {
    const userTags = { team: `someone-else-${suffix}` };
    exactArn = await acm.requestCertificate({
      domainName: `shop.${zone}`,
      subjectAlternativeNames: [`shop.${zone}`],
      idempotencyToken: `exact${suffix}`,
      tags: userTags,
    });
    created.push(exactArn);
    wildcardArn = await acm.requestCertificate({
      domainName: `*.${zone}`,
      subjectAlternativeNames: [`*.${zone}`],
      idempotencyToken: `wild${suffix}`,
      tags: userTags,
    });
    created.push(wildcardArn);
    await waitIssued([exactArn, wildcardArn]);

    const choice = chooseCertificates({
      owner,
      members: [
        { ingress: tlsIngress("shop", [`shop.${zone}`, `api.${zone}`]) },
        { ingress: tlsIngress("web", [`app.${zone}`]) },
      ],
      certificates: await acm.listCertificates(),
    });

    expect(choice.attach).toEqual([exactArn, ...[wildcardArn, ownedArn].sort()]);
    expect(choice.requests).toEqual([]);
    expect(choice.pending).toEqual([]);
    expect(validationRecordsNeeded(choice)).toEqual([]);
    expect(choice.unused).toEqual([]);
  });

  it("deletes the group's certificate no host needs; the account's own are never unused", async () => {
    const choice = chooseCertificates({
      owner,
      members: [{ ingress: tlsIngress("shop", [`shop.${zone}`]) }],
      certificates: await acm.listCertificates(),
    });
    const changes = planCertificates(choice);

    expect(choice.attach).toEqual([exactArn]);
    expect(choice.unused.map((c) => c.arn)).toEqual([ownedArn]);
    expect(changes).toEqual([expect.objectContaining({ kind: "deleteCertificate", arn: ownedArn })]);

    await acm.deleteCertificate(ownedArn);
    await acm.deleteCertificate(ownedArn);
    const after = await acm.listCertificates();

    expect(after.map((c) => c.arn)).not.toContain(ownedArn);
    expect(after.map((c) => c.arn)).toEqual(expect.arrayContaining([exactArn, wildcardArn]));
    const none = chooseCertificates({ owner, members: [], certificates: after });
    expect(none.unused).toEqual([]);
  });
});
