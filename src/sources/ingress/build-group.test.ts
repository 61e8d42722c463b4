import { describe, expect, it } from "vitest";
import type { Ingress } from "../../model/kube-objects.ts";
import {
  alb,
  buildShop,
  CONTEXT,
  endpointSlice,
  ingress,
  path,
  service,
  subnet,
} from "../../testing/test-fixtures.ts";
import type { GroupInput } from "./build-group.ts";

const services = [service("web"), service("api")];
const slices = [endpointSlice("web", [{ ip: "10.0.0.1" }]), endpointSlice("api", [{ ip: "10.0.0.2" }])];
const build = (members: Ingress[], overrides: Partial<GroupInput> = {}) =>
  buildShop(members, { services, slices }, overrides);
const shop = (
  name: string,
  annotations: Record<string, string> = {},
  o: Parameters<typeof ingress>[1] = {},
) => ingress(name, { ...o, annotations: alb({ "group.name": "shop", ...annotations }) });

describe("buildDesiredGroup: members", () => {
  it("returns an empty group, without halt, when every member is being deleted (apply deletes everything)", () => {
    expect(build([shop("a", {}, { deleting: true })])).toEqual({
      group: "shop",
      members: [],
      listeners: [],
      targetGroups: [],
      problems: [],
    });
  });

  it("drops the rules of a member being deleted", () => {
    const desired = build([
      shop("a", {}, { rules: [{ http: { paths: [path("/a", "Prefix")] } }] }),
      shop("b", {}, { deleting: true, rules: [{ http: { paths: [path("/b", "Prefix")] } }] }),
    ]);
    expect(desired.members).toEqual(["apps/a"]);
    expect(desired.listeners[0]?.rules.map((r) => r.source.ingress)).toEqual(["apps/a"]);
  });

  it("ignores an Ingress of another group", () => {
    expect(build([shop("a"), ingress("solo")]).members).toEqual(["apps/a"]);
  });

  it("halts, changing nothing, for an Ingress kept apart by an invalid group.name", () => {
    const bad = ingress("bad", { annotations: alb({ "group.name": "Shop" }) });
    const desired = build([bad], { group: "apps/bad" });
    expect(desired.halt?.reason).toContain("every member of the group is left out for an invalid annotation");
    expect(desired.loadBalancer).toBeUndefined();
    expect(desired.members).toEqual(["apps/bad"]);
    expect(desired.problems).toHaveLength(1);
  });

  it("leaves out a conflicting member: its rules are only kept as they are, and the ALB keeps the older member's scheme", () => {
    const desired = build([
      shop("a", { scheme: "internet-facing", "group.order": "1" }),
      shop(
        "b",
        { scheme: "internal", "group.order": "2" },
        { rules: [{ host: "b.example.com", http: { paths: [path("/", "Prefix")] } }] },
      ),
    ]);
    expect(desired.loadBalancer?.scheme).toBe("internet-facing");
    expect(desired.members).toEqual(["apps/a"]);
    expect(
      desired.listeners[0]?.rules.map((r) => [r.source.ingress, r.actions.length, r.keepExisting]),
    ).toEqual([
      ["apps/b", 0, true],
      ["apps/a", 1, undefined],
    ]);
    expect(desired.problems.map((p) => [p.ingress, p.scope])).toEqual([["apps/b", "member"]]);
  });
});

describe("buildDesiredGroup: a setting only a left-out member states is held", () => {
  const members = [
    shop(
      "a",
      { scheme: "internet-fcing" },
      { rules: [{ host: "a.example.com", http: { paths: [path("/", "Prefix")] } }] },
    ),
    shop("b", {}, { rules: [{ host: "b.example.com", http: { paths: [path("/", "Prefix")] } }] }),
  ];
  const current = {
    name: "gannet-shop-public",
    scheme: "internet-facing",
    ipAddressType: "ipv4",
    subnetIds: ["subnet-pub-a", "subnet-pub-b"],
    inboundCidrs: ["0.0.0.0/0"],
  };

  it("keeps the ALB as it is now, keeps the bad member's rules, and converges the others", () => {
    const desired = build(members, { current });
    expect(desired.halt).toBeUndefined();
    expect(desired.loadBalancer).toMatchObject({ name: "gannet-shop-public", scheme: "internet-facing" });
    expect(desired.listeners[0]?.rules.map((r) => [r.source.ingress, r.keepExisting])).toEqual([
      ["apps/a", true],
      ["apps/b", undefined],
    ]);
    expect(desired.problems.map((p) => [p.ingress, p.field])).toEqual([
      ["apps/a", "metadata.annotations['alb.ingress.kubernetes.io/scheme']"],
    ]);
  });

  it("halts when there is no ALB yet to hold the setting of", () => {
    expect(build(members).halt?.reason).toContain("apps/a is left out for an invalid annotation");
  });
});

describe("buildDesiredGroup: load balancer and security group", () => {
  it("names the ALB from the annotation when set", () => {
    expect(build([shop("a", { "load-balancer-name": "shop-alb" })]).loadBalancer?.name).toBe("shop-alb");
  });

  it("derives a stable ALB name that changes with the scheme", () => {
    const internal = build([shop("a")]).loadBalancer?.name;
    const external = build([shop("a", { scheme: "internet-facing" })]).loadBalancer?.name;
    expect(internal).toMatch(/^gannet-shop-[0-9a-f]{10}$/);
    expect(external).not.toBe(internal);
    expect(build([shop("a")]).loadBalancer?.name).toBe(internal);
  });

  it("resolves subnets named by the annotation", () => {
    const desired = build([shop("a", { subnets: "public-a, private-b" })]);
    expect(desired.loadBalancer?.subnetIds).toEqual(["subnet-0a00000000000001a", "subnet-0b00000000000002b"]);
  });

  it("opens each listen port to each inbound CIDR, sorted", () => {
    const desired = build(
      [
        shop("a", {
          "ip-address-type": "dualstack",
          "listen-ports": '[{"HTTPS":443},{"HTTP":80}]',
        }),
      ],
      { certificateArns: ["arn:aws:acm:us-east-1:000000000000:certificate/c1"] },
    );
    expect(desired.securityGroup?.ingress).toEqual([
      { port: 80, cidr: "0.0.0.0/0" },
      { port: 80, cidr: "::/0" },
      { port: 443, cidr: "0.0.0.0/0" },
      { port: 443, cidr: "::/0" },
    ]);
    expect(desired.securityGroup?.description).toBe("Gannet-managed security group for Ingress group shop");
  });

  it("tags the ALB, security group and target groups with ownership and user tags (reserved keys refused)", () => {
    const desired = build([shop("a", { tags: "team=shop,gannet.io/group=evil" })]);
    const ownership = { "gannet.io/cluster": "gannet-dev", "gannet.io/group": "shop" };
    expect(desired.loadBalancer?.tags).toEqual({
      ...ownership,
      "gannet.io/resource": "load-balancer",
      team: "shop",
    });
    expect(desired.securityGroup?.tags).toEqual({
      ...ownership,
      "gannet.io/resource": "security-group",
      team: "shop",
    });
    expect(desired.targetGroups[0]?.tags).toEqual({
      ...ownership,
      "gannet.io/resource": "target-group",
      "gannet.io/key": "apps/web:80",
      team: "shop",
    });
    expect(desired.problems.map((p) => p.message)).toEqual([
      expect.stringContaining('"gannet.io/group" is reserved'),
    ]);
  });

  it.each([
    [
      "only one AZ has subnets",
      [subnet("subnet-0000000a", "az-a", { "kubernetes.io/role/internal-elb": "1" })],
    ],
    [
      "the second AZ's subnet belongs to another cluster",
      [
        subnet("subnet-0000000a", "az-a", { "kubernetes.io/role/internal-elb": "1" }),
        subnet("subnet-0000000b", "az-b", {
          "kubernetes.io/role/internal-elb": "1",
          "kubernetes.io/cluster/other": "owned",
        }),
      ],
    ],
  ])("halts with a member Problem on every member when %s", (_, subnets) => {
    const desired = build([shop("a"), shop("b")], { context: { ...CONTEXT, subnets } });
    expect(desired.halt?.reason).toContain("no usable subnets");
    expect(desired.loadBalancer).toBeUndefined();
    expect(desired.listeners).toEqual([]);
    expect(desired.members).toEqual(["apps/a", "apps/b"]);
    expect(desired.problems.map((p) => [p.ingress, p.field, p.scope])).toEqual([
      ["apps/a", "metadata.annotations['alb.ingress.kubernetes.io/subnets']", "member"],
      ["apps/b", "metadata.annotations['alb.ingress.kubernetes.io/subnets']", "member"],
    ]);
  });
});

describe("buildDesiredGroup: listeners", () => {
  it("gives HTTPS listeners the TLS policy and certificates, and each listener its members' rules", () => {
    const arn = "arn:aws:acm:eu-west-1:123456789012:certificate/abc";
    const desired = build([
      shop("a", { "listen-ports": '[{"HTTP":80},{"HTTPS":443}]', "certificate-arn": arn }),
      shop(
        "b",
        { "listen-ports": '[{"HTTPS":443}]' },
        { rules: [{ http: { paths: [path("/b", "Exact")] } }] },
      ),
    ]);
    expect(desired.listeners.map((l) => [l.port, l.protocol, l.sslPolicy, l.certificateArns])).toEqual([
      [80, "HTTP", undefined, undefined],
      [443, "HTTPS", "ELBSecurityPolicy-TLS13-1-2-2021-06", [arn]],
    ]);
    expect(desired.listeners[0]?.rules.map((r) => r.source.ingress)).toEqual(["apps/a"]);
    // b's Exact /b is more specific than a's Prefix /: it comes first, whatever the member order.
    expect(desired.listeners[1]?.rules.map((r) => [r.order, r.source.ingress])).toEqual([
      [0, "apps/b"],
      [1, "apps/a"],
    ]);
  });

  it("leaves out an HTTPS listener that has no certificate yet (AWS refuses one), and its port", () => {
    const desired = build([shop("a", { "listen-ports": '[{"HTTP":80},{"HTTPS":443}]' })]);
    expect(desired.listeners.map((l) => l.port)).toEqual([80]);
    expect(desired.securityGroup?.ingress.map((r) => r.port)).toEqual([80]);
  });

  it("gives HTTPS listeners the chosen certificates (which include annotated ones), else the annotated ones", () => {
    const chosen = ["arn:aws:acm:us-east-1:000000000000:certificate/chosen"];
    const annotated = "arn:aws:acm:us-east-1:000000000000:certificate/annotated";
    const https = '[{"HTTPS":443}]';
    const [discovered] = build(
      [shop("a", { "listen-ports": https, "ssl-policy": "ELBSecurityPolicy-2016-08" })],
      {
        certificateArns: chosen,
      },
    ).listeners;
    const [pinned] = build([shop("a", { "listen-ports": https, "certificate-arn": annotated })]).listeners;
    expect(discovered).toMatchObject({
      port: 443,
      sslPolicy: "ELBSecurityPolicy-2016-08",
      certificateArns: chosen,
    });
    expect(pinned?.certificateArns).toEqual([annotated]);
  });
});
