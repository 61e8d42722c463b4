import { describe, expect, it } from "vitest";
import {
  type CertificateMember,
  chooseCertificates,
  tlsHostsOf,
} from "../../sources/ingress/hosts/tls-hosts.ts";
import { certificate, certificateArn, ingress } from "../../testing/test-fixtures.ts";
import type { Ingress } from "../kube-objects.ts";
import { buildOwnershipTags, type Owner } from "../ownership.ts";
import {
  type CertificateSummary,
  certificateKey,
  certificateRequestToken,
  covers,
  inUseByLoadBalancerArn,
  validationRecordsNeeded,
} from "./certificates.ts";

const OWNER: Owner = { cluster: "prod", group: "shop" };
const ARN = certificateArn;
const CNAME_VALUE = "_x.acm-validations.aws.";

/** An Ingress with TLS hosts, one `spec.tls` entry per list. */
function tlsIngress(name: string, ...tls: string[][]): Ingress {
  const base = ingress(name);
  return { ...base, spec: { ...base.spec, tls: tls.map((hosts) => ({ hosts, secretName: "ignored" })) } };
}

const cert = certificate;

/** A certificate Gannet requested for `owner`. */
function owned(id: string, names: string[], o: Partial<CertificateSummary> = {}, owner = OWNER) {
  return cert(id, names, {
    tags: buildOwnershipTags(owner, "certificate", certificateKey(names)),
    validation: names.map((n) => ({
      domain: n,
      name: `_h.${n.replace(/^\*\./, "")}.`,
      type: "CNAME",
      value: CNAME_VALUE,
    })),
    ...o,
  });
}

function choose(members: CertificateMember[], certificates: CertificateSummary[], owner = OWNER) {
  return chooseCertificates({ owner, members, certificates });
}

describe("covers", () => {
  it.each([
    ["app.example.com", "app.example.com", true],
    ["APP.example.com", "app.EXAMPLE.com", true],
    ["*.example.com", "app.example.com", true],
    ["*.Example.com", "API.example.com", true],
    ["*.example.com", "example.com", false],
    ["*.example.com", "a.b.example.com", false],
    ["*.example.com", "*.example.com", true],
    ["*.example.com", "*.a.example.com", false],
    ["app.example.com", "*.example.com", false],
    ["example.com", "app.example.com", false],
    ["*.b.example.com", "a.b.example.com", true],
    ["*.xample.com", "app.example.com", false],
  ])("%s covers %s: %s", (name, host, expected) => {
    expect(covers(name, host)).toBe(expected);
  });
});

describe("tlsHostsOf", () => {
  it.each([
    {
      name: "hosts in order, lowercase",
      tls: [["B.example.com", "a.example.com"]],
      hosts: ["b.example.com", "a.example.com"],
    },
    {
      name: "duplicates across entries dropped",
      tls: [["a.example.com"], ["A.example.com", "c.example.com"]],
      hosts: ["a.example.com", "c.example.com"],
    },
    { name: "a wildcard host is kept", tls: [["*.example.com"]], hosts: ["*.example.com"] },
    { name: "no tls", tls: [], hosts: [] },
  ])("$name", ({ tls, hosts }) => {
    expect(tlsHostsOf(tlsIngress("web", ...tls))).toEqual({ hosts, problems: [] });
  });

  it.each([
    ["bad_host.example.com", "spec.tls[1].hosts[0]"],
    ["a.*.example.com", "spec.tls[1].hosts[0]"],
    ["-a.example.com", "spec.tls[1].hosts[0]"],
    ["", "spec.tls[1].hosts[0]"],
  ])("%j is refused with a Problem naming %s", (bad, field) => {
    const result = tlsHostsOf(tlsIngress("web", ["ok.example.com"], [bad, "two.example.com"]));

    expect(result.hosts).toEqual(["ok.example.com", "two.example.com"]);
    expect(result.problems).toEqual([
      expect.objectContaining({ ingress: "apps/web", field, value: bad, scope: "rule" }),
    ]);
  });

  it("ignores entries without hosts and the Secret name", () => {
    const base = ingress("web");
    const ing: Ingress = {
      ...base,
      spec: { ...base.spec, tls: [{ secretName: "s" }, { hosts: ["a.example.com"] }] },
    };

    expect(tlsHostsOf(ing)).toEqual({ hosts: ["a.example.com"], problems: [] });
  });
});

describe("chooseCertificates: which certificate serves a host", () => {
  it.each([
    {
      name: "an exact certificate is preferred over a wildcard",
      hosts: ["app.example.com"],
      certs: [cert("w", ["*.example.com"]), cert("e", ["app.example.com"])],
      attach: [ARN("e")],
    },
    {
      name: "a wildcard is used when no exact certificate exists",
      hosts: ["app.example.com"],
      certs: [cert("w", ["*.example.com"]), cert("o", ["other.example.com"])],
      attach: [ARN("w")],
    },
    {
      name: "an exact SAN counts as exact",
      hosts: ["app.example.com"],
      certs: [cert("w", ["*.example.com"]), cert("s", ["example.com", "app.example.com"])],
      attach: [ARN("s")],
    },
    {
      name: "the group's own certificate is preferred among equals",
      hosts: ["app.example.com"],
      certs: [cert("a", ["app.example.com"]), owned("z", ["app.example.com"])],
      attach: [ARN("z")],
    },
    {
      name: "then the one with fewest names",
      hosts: ["app.example.com"],
      certs: [cert("a", ["app.example.com", "x.example.com"]), cert("b", ["app.example.com"])],
      attach: [ARN("b")],
    },
    {
      name: "then the ARN",
      hosts: ["app.example.com"],
      certs: [cert("b", ["app.example.com"]), cert("a", ["app.example.com"])],
      attach: [ARN("a")],
    },
    {
      name: "another group's certificate counts as found in the account, after the group's own",
      hosts: ["app.example.com"],
      certs: [
        owned("a", ["app.example.com"], {}, { cluster: "prod", group: "other" }),
        owned("b", ["app.example.com"]),
      ],
      attach: [ARN("b")],
    },
    {
      name: "only ISSUED certificates are attached",
      hosts: ["app.example.com"],
      certs: [
        cert("x", ["app.example.com"], { status: "EXPIRED" }),
        cert("y", ["app.example.com"], { status: "PENDING_VALIDATION" }),
        cert("w", ["*.example.com"]),
      ],
      attach: [ARN("w")],
    },
    {
      name: "only certificates that cover a host are attached, never every certificate of the zone",
      hosts: ["app.example.com"],
      certs: [
        cert("e", ["app.example.com"]),
        cert("w", ["*.example.com"]),
        cert("r", ["example.com"]),
        cert("d", ["*.app.example.com"]),
      ],
      attach: [ARN("e")],
    },
    {
      name: "a wildcard host needs a wildcard certificate",
      hosts: ["*.example.com"],
      certs: [cert("e", ["app.example.com"]), cert("w", ["*.example.com"])],
      attach: [ARN("w")],
    },
  ])("$name", ({ hosts, certs, attach }) => {
    const choice = choose([{ ingress: tlsIngress("web", hosts) }], certs);

    expect(choice.attach).toEqual(attach);
    expect(choice.requests).toEqual([]);
  });

  it("one certificate covering several hosts is attached once", () => {
    const choice = choose(
      [{ ingress: tlsIngress("web", ["a.example.com", "b.example.com"]) }],
      [cert("w", ["*.example.com"])],
    );

    expect(choice.attach).toEqual([ARN("w")]);
  });

  it("the default certificate covers the first TLS host of the first member; the rest are sorted", () => {
    const certs = [cert("1", ["z.example.com"]), cert("2", ["a.example.com"]), cert("3", ["m.example.com"])];
    const members = [
      { ingress: tlsIngress("first", ["m.example.com", "a.example.com"]) },
      { ingress: tlsIngress("second", ["z.example.com"]) },
    ];

    const choice = choose(members, certs);
    const shuffled = choose(members, [...certs].reverse());

    expect(choice.attach).toEqual([ARN("3"), ARN("1"), ARN("2")]);
    expect(shuffled).toEqual(choice);
  });

  it("the certificate-arn annotation serves the member's hosts: nothing is discovered or requested for them", () => {
    const annotated = ARN("from-annotation");
    const choice = choose(
      [
        { ingress: tlsIngress("a", ["a.example.com"]), certificateArns: [annotated] },
        { ingress: tlsIngress("b", ["b.example.com"]) },
      ],
      [cert("found-a", ["a.example.com"]), cert("found-b", ["b.example.com"])],
    );

    expect(choice.attach).toEqual([annotated, ARN("found-b")]);
    expect(choice.requests).toEqual([]);
  });
});

describe("chooseCertificates: requests and pending certificates", () => {
  it("requests the uncovered hosts of each Ingress, tagged for the group", () => {
    const choice = choose(
      [
        { ingress: tlsIngress("a", ["b.example.com", "a.example.com"]) },
        { ingress: tlsIngress("b", ["c.example.com", "a.example.com"]) },
      ],
      [],
    );

    expect(choice.requests).toEqual([
      {
        domainName: "a.example.com",
        subjectAlternativeNames: ["a.example.com", "b.example.com"],
        idempotencyToken: certificateRequestToken(OWNER, ["a.example.com", "b.example.com"]),
        tags: {
          "gannet.io/cluster": "prod",
          "gannet.io/group": "shop",
          "gannet.io/resource": "certificate",
          "gannet.io/key": "a.example.com b.example.com",
        },
        ingress: "apps/a",
      },
      expect.objectContaining({ subjectAlternativeNames: ["c.example.com"], ingress: "apps/b" }),
    ]);
    expect(choice.attach).toEqual([]);
  });

  it("splits more than 10 names into certificates of at most 10, in name order", () => {
    const hosts = Array.from({ length: 23 }, (_, i) => `h${String(i).padStart(2, "0")}.example.com`);

    const choice = choose([{ ingress: tlsIngress("web", [...hosts].reverse()) }], []);

    expect(choice.requests.map((r) => r.subjectAlternativeNames)).toEqual([
      hosts.slice(0, 10),
      hosts.slice(10, 20),
      hosts.slice(20),
    ]);
    expect(choice.requests.map((r) => r.domainName)).toEqual([
      "h00.example.com",
      "h10.example.com",
      "h20.example.com",
    ]);
  });

  it("requests only what no ISSUED certificate and no pending certificate of the group covers", () => {
    const choice = choose(
      [{ ingress: tlsIngress("web", ["a.example.com", "b.example.com", "c.other.com"]) }],
      [
        owned("p", ["a.example.com"], { status: "PENDING_VALIDATION" }),
        cert("b", ["b.example.com"]),
        cert("users-pending", ["*.other.com"], { status: "PENDING_VALIDATION" }),
      ],
    );

    expect(choice.attach).toEqual([ARN("b")]);
    expect(choice.pending.map((p) => p.arn)).toEqual([ARN("p")]);
    expect(choice.requests.map((r) => r.subjectAlternativeNames)).toEqual([["c.other.com"]]);
  });

  it("the idempotency token is stable, alphanumeric, ≤ 32 characters, and differs per group and names", () => {
    const token = certificateRequestToken(OWNER, ["b.example.com", "a.example.com"]);

    expect(token).toMatch(/^[a-z0-9]{1,32}$/);
    expect(certificateRequestToken(OWNER, ["a.example.com", "b.example.com"])).toBe(token);
    expect(
      certificateRequestToken({ ...OWNER, group: "other" }, ["a.example.com", "b.example.com"]),
    ).not.toBe(token);
    expect(certificateRequestToken(OWNER, ["a.example.com"])).not.toBe(token);
  });

  it("the key tag holds only characters ACM allows in tag values", () => {
    expect(certificateKey(["*.example.com", "example.com"])).toBe("_.example.com example.com");
    expect(
      certificateKey(Array.from({ length: 10 }, (_, i) => `${"x".repeat(60)}${i}.example.com`)),
    ).toHaveLength(256);
  });

  it("waits for the group's own pending certificate instead of requesting again", () => {
    const pending = owned("p", ["a.example.com", "b.example.com"], { status: "PENDING_VALIDATION" });

    const choice = choose([{ ingress: tlsIngress("web", ["a.example.com"]) }], [pending]);

    expect(choice.requests).toEqual([]);
    expect(choice.pending).toEqual([
      {
        arn: ARN("p"),
        names: ["a.example.com", "b.example.com"],
        validation: [
          { name: "_h.a.example.com.", type: "CNAME", value: CNAME_VALUE },
          { name: "_h.b.example.com.", type: "CNAME", value: CNAME_VALUE },
        ],
      },
    ]);
    expect(choice.unused).toEqual([]);
  });

  it("another group's pending certificate is not waited for", () => {
    const theirs = owned(
      "p",
      ["a.example.com"],
      { status: "PENDING_VALIDATION" },
      { cluster: "prod", group: "x" },
    );

    const choice = choose([{ ingress: tlsIngress("web", ["a.example.com"]) }], [theirs]);

    expect(choice.pending).toEqual([]);
    expect(choice.requests).toHaveLength(1);
  });

  it("a FAILED certificate of the group is reported and kept, not requested again", () => {
    const failed = owned("f", ["a.example.com"], { status: "FAILED" });

    const choice = choose([{ ingress: tlsIngress("web", ["a.example.com"]) }], [failed]);

    expect(choice.requests).toEqual([]);
    expect(choice.unused).toEqual([]);
    expect(choice.problems).toEqual([
      expect.objectContaining({ ingress: "apps/web", field: "spec.tls[0].hosts[0]", scope: "rule" }),
    ]);
  });

  it.each([
    ["a single label", "localhost", "fully qualified"],
    ["no name short enough for the CN", `${"a".repeat(60)}.example.com`, "at most 64 characters"],
  ])("a host ACM cannot issue for (%s) gets a Problem, not a request", (_, host, message) => {
    const choice = choose([{ ingress: tlsIngress("web", [host]) }], []);

    expect(choice.requests).toEqual([]);
    expect(choice.problems).toEqual([
      expect.objectContaining({ value: host, message: expect.stringContaining(message) }),
    ]);
  });

  it("a long name goes into the SANs behind a short domain name", () => {
    const long = `${"a".repeat(60)}.example.com`;

    const choice = choose([{ ingress: tlsIngress("web", [long, "z.example.com"]) }], []);

    expect(choice.requests.map((r) => [r.domainName, r.subjectAlternativeNames])).toEqual([
      ["z.example.com", ["z.example.com", long]],
    ]);
  });
});

describe("chooseCertificates: unused certificates", () => {
  const other = { cluster: "staging", group: "shop" };
  const certs = [
    owned("kept", ["a.example.com"]),
    owned("gone-issued", ["old.example.com"]),
    owned("gone-pending", ["older.example.com"], { status: "PENDING_VALIDATION" }),
    owned("gone-expired", ["a.example.com"], { status: "EXPIRED" }),
    owned("superseded", ["a.example.com", "b.example.com"]),
    owned("other-cluster", ["old.example.com"], {}, other),
    owned("other-group", ["old.example.com"], {}, { cluster: "prod", group: "x" }),
    cert("found", ["stale.example.com"]),
  ];

  it("lists the group's own certificates no host needs, and never another cluster's, group's or user's", () => {
    const choice = choose([{ ingress: tlsIngress("web", ["a.example.com"]) }], certs);

    expect(choice.attach).toEqual([ARN("kept")]);
    expect(choice.unused.map((c) => c.arn)).toEqual([
      ARN("gone-expired"),
      ARN("gone-issued"),
      ARN("gone-pending"),
      ARN("superseded"),
    ]);
  });

  it("everything the group owns is unused once no member has TLS hosts", () => {
    const choice = choose([], certs);

    expect(choice.unused.map((c) => c.arn)).not.toContain(ARN("other-cluster"));
    expect(choice.unused).toHaveLength(5);
  });

  it("a certificate named by the certificate-arn annotation is not unused", () => {
    const choice = choose(
      [{ ingress: tlsIngress("web", ["x.example.com"]), certificateArns: [ARN("kept")] }],
      certs,
    );

    expect(choice.unused.map((c) => c.arn)).not.toContain(ARN("kept"));
  });
});

describe("validationRecordsNeeded", () => {
  it("gives each CNAME once, whichever pending certificates share it", () => {
    const choice = choose(
      [{ ingress: tlsIngress("web", ["a.example.com", "*.example.com", "b.example.com"]) }],
      [
        owned("p1", ["a.example.com", "example.com"], { status: "PENDING_VALIDATION" }),
        owned("p2", ["*.example.com", "b.example.com"], { status: "PENDING_VALIDATION" }),
      ],
    );

    expect(validationRecordsNeeded(choice)).toEqual([
      { name: "_h.a.example.com.", type: "CNAME", value: CNAME_VALUE },
      { name: "_h.b.example.com.", type: "CNAME", value: CNAME_VALUE },
      { name: "_h.example.com.", type: "CNAME", value: CNAME_VALUE },
    ]);
  });

  it("is empty when nothing is pending", () => {
    expect(validationRecordsNeeded(choose([], []))).toEqual([]);
  });
});

describe("chooseCertificates: hosts without a hosted zone", () => {
  it("never requests a certificate DNS validation could not complete, and says how to fix it", () => {
    const ingress: Ingress = {
      metadata: { namespace: "apps", name: "web" },
      spec: { tls: [{ hosts: ["ok.example.com", "lost.example.org"] }] },
    };

    const choice = chooseCertificates({
      owner: { cluster: "c", group: "apps/web" },
      members: [{ ingress }],
      certificates: [],
      canValidate: (host) => host.endsWith("example.com"),
    });

    expect(choice.requests.map((r) => r.subjectAlternativeNames)).toEqual([["ok.example.com"]]);
    expect(choice.problems).toEqual([
      expect.objectContaining({
        field: "spec.tls[0].hosts[1]",
        value: "lost.example.org",
        message: expect.stringContaining("no hosted zone for host"),
      }),
    ]);
  });
});

describe("inUseByLoadBalancerArn", () => {
  it.each([
    [
      "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/gannet-shop-abc/50dc6c495c0c9188",
      "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/gannet-shop-abc/50dc6c495c0c9188",
    ],
    [
      "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/gannet-shop-abc/50dc6c495c0c9188/f2f7dc8efc522ab2",
      "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/gannet-shop-abc/50dc6c495c0c9188",
    ],
    [
      "arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE",
      "arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE",
    ],
  ])("%s → %s", (arn, lb) => {
    expect(inUseByLoadBalancerArn(arn)).toBe(lb);
  });
});
