import { describe, expect, it } from "vitest";
import type { CertificateChoice, CertificateRequest, CertificateSummary } from "../model/tls/certificates.ts";
import { certificate, certificateArn } from "../testing/test-fixtures.ts";
import {
  describeCertificateChange,
  planCertificates,
  validationRecordsToKeep,
} from "./certificate-planner.ts";

const ARN = certificateArn;
const VALUE = "_x.acm-validations.aws.";

const cert = certificate;

/** A certificate with the validation records ACM publishes for its names. */
function validated(id: string, names: string[], o: Partial<CertificateSummary> = {}): CertificateSummary {
  return cert(id, names, {
    validation: names.map((n) => ({
      domain: n,
      name: `_h.${n.replace(/^\*\./, "")}.`,
      type: "CNAME",
      value: VALUE,
    })),
    ...o,
  });
}

const REQUEST: CertificateRequest = {
  domainName: "a.example.com",
  subjectAlternativeNames: ["a.example.com", "b.example.com"],
  idempotencyToken: "0123456789abcdef0123456789abcdef",
  tags: { "gannet.io/cluster": "prod" },
  ingress: "apps/web",
};

function choice(o: Partial<CertificateChoice>): CertificateChoice {
  return { attach: [], requests: [], pending: [], unused: [], problems: [], ...o };
}

describe("planCertificates", () => {
  it("requests every missing certificate, before any deletion", () => {
    const changes = planCertificates(
      choice({ requests: [REQUEST], unused: [cert("old", ["old.example.com"])] }),
    );

    expect(changes).toEqual([
      { kind: "requestCertificate", request: REQUEST },
      {
        kind: "deleteCertificate",
        arn: ARN("old"),
        names: ["old.example.com"],
        reason: "no TLS host of the group needs it any more (status ISSUED)",
      },
    ]);
  });

  it.each([
    { name: "free: deleted", unused: cert("c", ["x.example.com"]), deleted: true },
    {
      name: "expired and free: deleted",
      unused: cert("c", ["x.example.com"], { status: "EXPIRED" }),
      deleted: true,
    },
    {
      name: "ACM lists it as used by a load balancer: kept for a later pass",
      unused: cert("c", ["x.example.com"], { inUse: true, inUseBy: ["arn:aws:elasticloadbalancing:lb"] }),
      deleted: false,
    },
    {
      name: "ListCertificates says in use though InUseBy was not read: kept",
      unused: cert("c", ["x.example.com"], { inUse: true }),
      deleted: false,
    },
    {
      name: "still on an observed listener (InUseBy lags): kept",
      unused: cert("c", ["x.example.com"]),
      listeners: [ARN("c")],
      deleted: false,
    },
  ])("unused certificate $name", ({ unused, listeners, deleted }) => {
    const changes = planCertificates(
      choice({ unused: [unused] }),
      listeners ? { listenerCertificateArns: listeners } : {},
    );

    expect(changes.map((c) => c.kind)).toEqual(deleted ? ["deleteCertificate"] : []);
  });

  it("deletes nothing with deleteUnused false", () => {
    const changes = planCertificates(
      choice({ requests: [REQUEST], unused: [cert("c", ["x.example.com"])] }),
      {
        deleteUnused: false,
      },
    );

    expect(changes.map((c) => c.kind)).toEqual(["requestCertificate"]);
  });

  it("attached and pending certificates give no change", () => {
    const changes = planCertificates(
      choice({ attach: [ARN("a")], pending: [{ arn: ARN("p"), names: ["p.example.com"], validation: [] }] }),
    );

    expect(changes).toEqual([]);
  });
});

describe("describeCertificateChange", () => {
  it.each([
    [
      { kind: "requestCertificate", request: REQUEST } as const,
      "request certificate for a.example.com, b.example.com (apps/web)",
    ],
    [
      { kind: "deleteCertificate", arn: ARN("c"), names: ["x.example.com"], reason: "unused" } as const,
      `delete certificate ${ARN("c")} for x.example.com: unused`,
    ],
  ])("%j", (change, line) => {
    expect(describeCertificateChange(change)).toBe(line);
  });
});

describe("validationRecordsToKeep", () => {
  it.each([
    {
      name: "a record of a live certificate is kept",
      certs: [validated("a", ["a.example.com"])],
      retiring: [],
      keep: ["_h.a.example.com."],
    },
    {
      name: "a record of a pending certificate is kept",
      certs: [validated("a", ["a.example.com"], { status: "PENDING_VALIDATION" })],
      retiring: [],
      keep: ["_h.a.example.com."],
    },
    {
      name: "the record of a retiring certificate goes when nothing else needs it",
      certs: [validated("a", ["a.example.com"])],
      retiring: [ARN("a")],
      keep: [],
    },
    {
      name: "a record shared with a certificate that stays is kept",
      certs: [validated("old", ["a.example.com", "b.example.com"]), validated("new", ["a.example.com"])],
      retiring: [ARN("old")],
      keep: ["_h.a.example.com."],
    },
    {
      name: "a user's certificate of the same name keeps it, though its records were never read",
      certs: [validated("old", ["a.example.com"]), cert("users", ["a.example.com"])],
      retiring: [ARN("old")],
      keep: ["_h.a.example.com."],
    },
    {
      name: "a wildcard and its base name share one record",
      certs: [validated("old", ["example.com"]), cert("users", ["*.example.com"])],
      retiring: [ARN("old")],
      keep: ["_h.example.com."],
    },
    {
      name: "failed, expired and timed-out certificates keep nothing",
      certs: [
        validated("f", ["f.example.com"], { status: "FAILED" }),
        validated("e", ["e.example.com"], { status: "EXPIRED" }),
        validated("t", ["t.example.com"], { status: "VALIDATION_TIMED_OUT" }),
      ],
      retiring: [],
      keep: [],
    },
    {
      name: "an imported certificate of the name keeps nothing (ACM does not validate it)",
      certs: [validated("old", ["a.example.com"]), cert("imp", ["a.example.com"], { type: "IMPORTED" })],
      retiring: [ARN("old")],
      keep: [],
    },
  ])("$name", ({ certs, retiring, keep }) => {
    expect([...validationRecordsToKeep(certs, { retiring })].sort()).toEqual(keep);
  });

  it("keeps existing records by the name they validate, even when no certificate's records were read", () => {
    const keep = validationRecordsToKeep([cert("users", ["a.example.com"])], {
      existing: ["_h.a.example.com.", "_h.gone.example.com.", "_H.A.Example.com", "a.example.com."],
    });

    expect([...keep].sort()).toEqual(["_h.a.example.com."]);
  });
});
