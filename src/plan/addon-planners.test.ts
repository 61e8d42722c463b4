import { describe, expect, it } from "vitest";
import type { DesiredGroup, HealthCheck } from "../model/desired.ts";
import type { ObservedGroup, ObservedLoadBalancer } from "../types/alb.ts";
import { differingAttributes } from "./addon-planners.ts";
import { planGroup } from "./plan-group.ts";

const healthCheck: HealthCheck = {
  protocol: "HTTP",
  port: "traffic-port",
  path: "/",
  intervalSeconds: 15,
  timeoutSeconds: 5,
  healthyThresholdCount: 2,
  unhealthyThresholdCount: 2,
  matcher: "200",
};
const notFound = { type: "fixed-response", statusCode: "404", contentType: "text/plain" } as const;
const ACL_A = "arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/a/3ab78708-85b0-49d3-b4e1-7a9615a6613a";
const ACL_B = "arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/b/3ab78708-85b0-49d3-b4e1-7a9615a6613b";

const desired: DesiredGroup = {
  group: "ns/web",
  members: ["ns/web"],
  loadBalancer: { name: "lb", scheme: "internal", ipAddressType: "ipv4", subnetIds: ["s-a"], tags: {} },
  securityGroup: { name: "sg", description: "d", ingress: [{ port: 80, cidr: "0.0.0.0/0" }], tags: {} },
  listeners: [{ port: 80, protocol: "HTTP", defaultActions: [notFound], rules: [] }],
  targetGroups: [
    {
      key: "ns/web:80",
      name: "tg",
      protocol: "HTTP",
      protocolVersion: "HTTP1",
      port: 80,
      targetType: "ip",
      healthCheck,
      targets: [{ id: "10.0.0.1", port: 8080 }],
      tags: {},
    },
  ],
  problems: [],
};

const lb: ObservedLoadBalancer = {
  arn: "arn:lb",
  name: "lb",
  dnsName: "lb.elb",
  canonicalHostedZoneId: "Z",
  scheme: "internal",
  ipAddressType: "ipv4",
  subnetIds: ["s-a"],
  securityGroupIds: ["sg-1"],
  tags: {},
  listeners: [
    {
      arn: "arn:l80",
      port: 80,
      protocol: "HTTP",
      defaultActions: [notFound],
      rules: [],
      certificateArns: [],
      owned: true,
    },
  ],
};

const converged: ObservedGroup = {
  loadBalancers: [lb],
  targetGroups: [
    {
      arn: "arn:tg",
      name: "tg",
      key: "ns/web:80",
      protocol: "HTTP",
      protocolVersion: "HTTP1",
      port: 80,
      targetType: "ip",
      healthCheck,
      targets: [{ id: "10.0.0.1", port: 8080 }],
      tags: {},
    },
  ],
  securityGroups: [{ id: "sg-1", name: "sg", ingress: [{ port: 80, cidr: "0.0.0.0/0" }], tags: {} }],
};
const empty: ObservedGroup = { loadBalancers: [], targetGroups: [], securityGroups: [] };

function withAddons(o: {
  lb?: Record<string, string>;
  tg?: Record<string, string>;
  listener?: Record<string, string>;
  webAcl?: { arn: string } | { none: true };
}): DesiredGroup {
  return {
    ...desired,
    loadBalancer: {
      ...(desired.loadBalancer as NonNullable<DesiredGroup["loadBalancer"]>),
      ...(o.lb ? { attributes: o.lb } : {}),
      ...(o.webAcl ? { webAcl: o.webAcl } : {}),
    },
    listeners: desired.listeners.map((l) => (o.listener ? { ...l, attributes: o.listener } : l)),
    targetGroups: desired.targetGroups.map((t) => (o.tg ? { ...t, attributes: o.tg } : t)),
  };
}

function observedWith(o: {
  lb?: Record<string, string>;
  tg?: Record<string, string>;
  listener?: Record<string, string>;
  webAcl?: { arn?: string };
}): ObservedGroup {
  return {
    ...converged,
    loadBalancers: [
      {
        ...lb,
        ...(o.lb ? { attributes: o.lb } : {}),
        ...(o.webAcl ? { webAcl: o.webAcl } : {}),
        listeners: lb.listeners.map((l) => (o.listener ? { ...l, attributes: o.listener } : l)),
      },
    ],
    targetGroups: converged.targetGroups.map((t) => (o.tg ? { ...t, attributes: o.tg } : t)),
  };
}

describe("differingAttributes", () => {
  it.each([
    [{ a: "1" }, { a: "1", b: "2" }, {}],
    [{ a: "1", b: "3" }, { a: "1", b: "2" }, { b: "3" }],
    [{ a: "1" }, undefined, { a: "1" }],
    [undefined, { a: "1" }, {}],
    [{ c: "1" }, { a: "1" }, { c: "1" }],
  ])("wants %j, has %j", (want, have, diff) => {
    expect(differingAttributes(want, have)).toEqual(diff);
  });
});

describe("planGroup: attributes", () => {
  it("sends only the stated attributes that differ, one call per resource", () => {
    const changes = planGroup(
      withAddons({ lb: { x: "1", y: "2" }, tg: { t: "1" }, listener: { l: "1" } }),
      observedWith({ lb: { x: "1", y: "3", z: "9" }, tg: { t: "2" }, listener: { l: "1", other: "0" } }),
    ).changes;

    expect(changes).toEqual([
      { kind: "modifyLoadBalancerAttributes", attributes: { y: "2" } },
      { kind: "modifyTargetGroupAttributes", key: "ns/web:80", attributes: { t: "1" } },
    ]);
  });

  it("plans nothing when AWS holds every stated value (unstated ones are not compared)", () => {
    expect(
      planGroup(
        withAddons({ lb: { x: "1" }, tg: { t: "1" }, listener: { l: "1" } }),
        observedWith({ lb: { x: "1", z: "9" }, tg: { t: "1", u: "0" }, listener: { l: "1" } }),
      ).changes,
    ).toEqual([]);
  });

  it("sets every stated attribute on what it creates, target group attributes before its targets register", () => {
    const kinds = planGroup(
      withAddons({ lb: { x: "1" }, tg: { t: "1" }, listener: { l: "1" } }),
      empty,
    ).changes.map((c) => c.kind);

    expect(kinds).toEqual([
      "createSecurityGroup",
      "authorizeIngress",
      "createLoadBalancer",
      "modifyLoadBalancerAttributes",
      "createTargetGroup",
      "modifyTargetGroupAttributes",
      "registerTargets",
      "createListener",
      "modifyListenerAttributes",
    ]);
  });
});

describe("planGroup: WAFv2 web ACL", () => {
  it.each([
    { want: { arn: ACL_A }, have: {}, changes: [{ kind: "associateWebAcl", webAclArn: ACL_A }] },
    { want: { arn: ACL_A }, have: { arn: ACL_A }, changes: [] },
    { want: { arn: ACL_B }, have: { arn: ACL_A }, changes: [{ kind: "associateWebAcl", webAclArn: ACL_B }] },
    {
      want: { none: true as const },
      have: { arn: ACL_A },
      changes: [{ kind: "disassociateWebAcl", loadBalancerArn: "arn:lb", webAclArn: ACL_A }],
    },
    { want: { none: true as const }, have: {}, changes: [] },
  ])("wants $want, has $have", ({ want, have, changes }) => {
    expect(planGroup(withAddons({ webAcl: want }), observedWith({ webAcl: have })).changes).toEqual(changes);
  });

  it("associates a new ALB last (WAFv2 may not see it yet), and never calls for `none` on a new one", () => {
    const kinds = planGroup(withAddons({ webAcl: { arn: ACL_A } }), empty).changes.map((c) => c.kind);

    expect(kinds.at(-1)).toBe("associateWebAcl");
    expect(kinds).toContain("createListener");
    expect(planGroup(withAddons({ webAcl: { none: true } }), empty).changes.map((c) => c.kind)).not.toContain(
      "disassociateWebAcl",
    );
  });
});
