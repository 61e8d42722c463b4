import { describe, expect, it } from "vitest";
import {
  buildDesiredRecords,
  type DesiredRecordsInput,
  hostsOfIngress,
} from "../../sources/ingress/hosts/hostnames.ts";
import { ingress, path } from "../../testing/test-fixtures.ts";
import type { Ingress } from "../kube-objects.ts";
import { chooseZone, type HostedZone } from "./dns-records.ts";

const HOSTNAME = "external-dns.kubernetes.io/hostname";
const ALPHA_HOSTNAME = "external-dns.alpha.kubernetes.io/hostname";

function withHosts(
  name: string,
  o: { rules?: string[]; tls?: string[][]; annotations?: Record<string, string> } = {},
): Ingress {
  const base = ingress(name, {
    ...(o.annotations ? { annotations: o.annotations } : {}),
    rules: (o.rules ?? []).map((host) => ({ host, http: { paths: [path("/", "Prefix")] } })),
  });
  return { ...base, spec: { ...base.spec, ...(o.tls ? { tls: o.tls.map((hosts) => ({ hosts })) } : {}) } };
}

describe("hostsOfIngress", () => {
  it.each([
    {
      case: "rule hosts",
      rules: ["b.example.com", "a.example.com"],
      want: ["a.example.com", "b.example.com"],
    },
    { case: "TLS hosts", tls: [["tls.example.com"]], want: ["tls.example.com"] },
    {
      case: "the hostname annotation, trimmed",
      annotations: { [HOSTNAME]: " x.example.com ,y.example.com, " },
      want: ["x.example.com", "y.example.com"],
    },
    {
      case: "the alpha annotation",
      annotations: { [ALPHA_HOSTNAME]: "old.example.com" },
      want: ["old.example.com"],
    },
    {
      case: "lowercase, de-duplicated across sources, sorted",
      rules: ["App.Example.com", "app.example.com"],
      tls: [["APP.example.com", "z.example.com"]],
      annotations: { [HOSTNAME]: "app.example.com." },
      want: ["app.example.com", "z.example.com"],
    },
    { case: "a wildcard", rules: ["*.example.com"], want: ["*.example.com"] },
    { case: "no hosts", want: [] },
  ])("reads $case", ({ rules, tls, annotations, want }) => {
    const ing = withHosts("web", {
      ...(rules ? { rules } : {}),
      ...(tls ? { tls } : {}),
      ...(annotations ? { annotations } : {}),
    });

    const got = hostsOfIngress(ing);

    expect(got).toEqual({ hosts: want, problems: [] });
  });

  it.each([
    { host: "bad_host.example.com", field: "spec.rules[0].host" },
    { host: "a.*.example.com", field: "spec.rules[0].host" },
    { host: `${"x".repeat(64)}.example.com`, field: "spec.rules[0].host" },
    { host: "-lead.example.com", field: "spec.rules[0].host" },
  ])("reports the invalid rule host $host", ({ host, field }) => {
    const got = hostsOfIngress(withHosts("web", { rules: [host, "ok.example.com"] }));

    expect(got.hosts).toEqual(["ok.example.com"]);
    expect(got.problems).toEqual([
      expect.objectContaining({ ingress: "apps/web", field, value: host, scope: "rule" }),
    ]);
    expect(got.problems[0]?.message).toContain("not a valid DNS name");
  });

  it("names the annotation of an invalid annotation host", () => {
    const got = hostsOfIngress(
      withHosts("web", { annotations: { [ALPHA_HOSTNAME]: "good.example.com,bad!" } }),
    );

    expect(got.hosts).toEqual(["good.example.com"]);
    expect(got.problems).toEqual([
      expect.objectContaining({ field: `metadata.annotations['${ALPHA_HOSTNAME}']`, value: "bad!" }),
    ]);
  });

  it.each([
    { key: "external-dns.kubernetes.io/ttl", value: "60", ttl: 60 },
    { key: "external-dns.alpha.kubernetes.io/ttl", value: "2147483647", ttl: 2147483647 },
    { key: "external-dns.kubernetes.io/ttl", value: "5m", ttl: 300 },
    { key: "external-dns.kubernetes.io/ttl", value: "1h30m", ttl: 5400 },
  ])("reads ttl $value from $key", ({ key, value, ttl }) => {
    const got = hostsOfIngress(withHosts("web", { annotations: { [key]: value } }));

    expect(got).toEqual({ hosts: [], ttl, problems: [] });
  });

  it.each(["0", "-5", "2147483648", "abc", "1.5"])("reports the bad ttl %s", (value) => {
    const got = hostsOfIngress(
      withHosts("web", { annotations: { "external-dns.kubernetes.io/ttl": value } }),
    );

    expect(got.ttl).toBeUndefined();
    expect(got.problems).toEqual([
      expect.objectContaining({
        ingress: "apps/web",
        field: "metadata.annotations['external-dns.kubernetes.io/ttl']",
        value,
        scope: "rule",
      }),
    ]);
    expect(got.problems[0]?.message).toContain("from 1 to 2147483647");
  });

  it("prefers the current prefix over the alpha one", () => {
    const got = hostsOfIngress(
      withHosts("web", {
        annotations: {
          "external-dns.kubernetes.io/ttl": "60",
          "external-dns.alpha.kubernetes.io/ttl": "120",
        },
      }),
    );

    expect(got.ttl).toBe(60);
  });
});

const ZONES: HostedZone[] = [
  { id: "ZCOM", name: "example.com", private: false },
  { id: "ZSHOP", name: "shop.example.com", private: false },
  { id: "ZPRIV", name: "example.com", private: true },
  { id: "ZINT", name: "internal.example.com", private: true },
  { id: "ZORG", name: "example.org", private: false },
  { id: "ZAMPLE", name: "ample.com", private: false },
];

describe("chooseZone", () => {
  it.each([
    { host: "www.example.com", private: false, want: "ZCOM" },
    { host: "example.com", private: false, want: "ZCOM" },
    { host: "cart.shop.example.com", private: false, want: "ZSHOP" },
    { host: "shop.example.com", private: false, want: "ZSHOP" },
    { host: "*.shop.example.com", private: false, want: "ZSHOP" },
    { host: "www.example.com", private: true, want: "ZPRIV" },
    { host: "api.internal.example.com", private: true, want: "ZINT" },
    { host: "api.internal.example.com", private: false, want: "ZCOM" },
    { host: "xample.com", private: false, want: undefined },
    { host: "www.example.net", private: false, want: undefined },
    { host: "www.example.org", private: true, want: undefined },
  ])("$host (private $private) goes to $want", ({ host, private: priv, want }) => {
    expect(chooseZone(host, ZONES, { private: priv })?.id).toBe(want);
  });

  it.each([
    { host: "cart.shop.example.com", domainFilters: ["example.com"], want: "ZSHOP" },
    { host: "cart.shop.example.com", domainFilters: ["example.org"], want: undefined },
    { host: "www.example.com", domainFilters: [".example.com"], want: undefined },
    { host: "cart.shop.example.com", domainFilters: [".example.com"], want: "ZSHOP" },
    { host: "cart.shop.example.com", domainFilters: ["Example.COM."], want: "ZSHOP" },
    { host: "www.ample.com", domainFilters: ["example.com"], want: undefined },
    { host: "cart.shop.example.com", zoneIdFilters: ["ZCOM"], want: "ZCOM" },
    { host: "cart.shop.example.com", zoneIdFilters: ["/hostedzone/ZSHOP"], want: "ZSHOP" },
    { host: "cart.shop.example.com", zoneIdFilters: ["ZORG"], want: undefined },
  ])("with filters $domainFilters $zoneIdFilters, $host goes to $want", ({ host, want, ...filters }) => {
    expect(chooseZone(host, ZONES, { private: false, ...filters })?.id).toBe(want);
  });

  it("breaks a tie between zones of one name by the lower id", () => {
    const zones = [
      { id: "ZB", name: "example.com", private: false },
      { id: "ZA", name: "example.com", private: false },
    ];

    expect(chooseZone("www.example.com", zones, { private: false })?.id).toBe("ZA");
  });
});

const TARGET = {
  dnsName: "K8s-Web-1.us-east-1.elb.amazonaws.com.",
  hostedZoneId: "Z35SXDOTRQ7X7K",
  dualstack: false,
};
const ALIAS = {
  dnsName: "k8s-web-1.us-east-1.elb.amazonaws.com",
  hostedZoneId: "Z35SXDOTRQ7X7K",
  evaluateTargetHealth: true,
};

function input(members: Ingress[], extra: Partial<DesiredRecordsInput> = {}): DesiredRecordsInput {
  return {
    members: members.map((i) => ({ ingress: i })),
    target: TARGET,
    zones: ZONES,
    private: false,
    ...extra,
  };
}

describe("buildDesiredRecords", () => {
  it("gives an A alias per host in its most specific zone", () => {
    const got = buildDesiredRecords(
      input([withHosts("shop", { rules: ["www.example.com", "cart.shop.example.com"] })]),
    );

    expect(got).toEqual({
      records: [
        { zoneId: "ZCOM", name: "www.example.com", type: "A", alias: ALIAS, resource: "ingress/apps/shop" },
        {
          zoneId: "ZSHOP",
          name: "cart.shop.example.com",
          type: "A",
          alias: ALIAS,
          resource: "ingress/apps/shop",
        },
      ],
      problems: [],
    });
  });

  it("adds an AAAA alias for a dualstack ALB", () => {
    const got = buildDesiredRecords(
      input([withHosts("shop", { rules: ["www.example.com"] })], { target: { ...TARGET, dualstack: true } }),
    );

    expect(got.records.map((r) => `${r.type} ${r.name}`)).toEqual([
      "A www.example.com",
      "AAAA www.example.com",
    ]);
  });

  it("puts an internal ALB's hosts in private zones", () => {
    const got = buildDesiredRecords(
      input([withHosts("api", { rules: ["api.internal.example.com"] })], { private: true }),
    );

    expect(got.records.map((r) => r.zoneId)).toEqual(["ZINT"]);
  });

  it("reports a host no zone contains, naming where it came from", () => {
    const got = buildDesiredRecords(
      input([
        withHosts("shop", { rules: ["www.example.com"], annotations: { [HOSTNAME]: "www.example.net" } }),
      ]),
    );

    expect(got.records.map((r) => r.name)).toEqual(["www.example.com"]);
    expect(got.problems).toEqual([
      {
        ingress: "apps/shop",
        field: `metadata.annotations['${HOSTNAME}']`,
        value: "www.example.net",
        message:
          'no public hosted zone contains host "www.example.net": create a public zone for it, or remove the host',
        scope: "rule",
      },
    ]);
  });

  it("mentions the filters when they leave no zone", () => {
    const got = buildDesiredRecords(
      input([withHosts("shop", { rules: ["www.example.com"] })], { domainFilters: ["example.org"] }),
    );

    expect(got.problems[0]?.message).toContain("within the configured domain and zone id filters");
  });

  it("publishes a host several members route once, its TXT naming the first in group order", () => {
    const first = withHosts("b-first", { rules: ["www.example.com"] });
    const second = withHosts("a-second", { tls: [["www.example.com", "other.example.com"]] });

    const got = buildDesiredRecords(input([first, second]));

    expect(got.records.map((r) => `${r.name} ${r.resource}`)).toEqual([
      "other.example.com ingress/apps/a-second",
      "www.example.com ingress/apps/b-first",
    ]);
    expect(got.problems).toEqual([]);
  });

  it("carries the problems of each member", () => {
    const got = buildDesiredRecords(input([withHosts("shop", { rules: ["bad_host.example.com"] })]));

    expect(got.records).toEqual([]);
    expect(got.problems).toHaveLength(1);
  });
});
