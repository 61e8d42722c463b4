import { describe, expect, it } from "vitest";
import type { DesiredGroup, DesiredTargetGroup, HealthCheck } from "../model/desired.ts";
import type { ObservedGroup, ObservedLoadBalancer, ObservedTargetGroup } from "../types/alb.ts";
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

const tg: DesiredTargetGroup = {
  key: "ns/web:80",
  name: "gn-web-aaaa",
  protocol: "HTTP",
  protocolVersion: "HTTP1",
  port: 80,
  targetType: "ip",
  healthCheck,
  targets: [{ id: "10.0.0.1", port: 8080 }],
  tags: {},
};

const desired: DesiredGroup = {
  group: "ns/web",
  members: ["ns/web"],
  loadBalancer: {
    name: "gannet-web-1",
    scheme: "internal",
    ipAddressType: "ipv4",
    subnetIds: ["s-a", "s-b"],
    tags: {},
  },
  securityGroup: {
    name: "gannet-web",
    description: "d",
    ingress: [{ port: 80, cidr: "0.0.0.0/0" }],
    tags: {},
  },
  listeners: [
    {
      port: 80,
      protocol: "HTTP",
      defaultActions: [{ type: "fixed-response", statusCode: "404", contentType: "text/plain" }],
      rules: [
        {
          order: 0,
          conditions: [{ field: "path-pattern", values: ["/*"] }],
          actions: [{ type: "forward", targetGroups: [{ targetGroup: "ns/web:80", weight: 1 }] }],
          source: { ingress: "ns/web", field: "spec.rules[0].http.paths[0]" },
        },
      ],
    },
  ],
  targetGroups: [tg],
  problems: [],
};

const observedTg: ObservedTargetGroup = {
  arn: "arn:tg",
  name: tg.name,
  key: tg.key,
  protocol: "HTTP",
  protocolVersion: "HTTP1",
  port: 80,
  targetType: "ip",
  healthCheck,
  targets: tg.targets,
  tags: {},
};

const observedLb: ObservedLoadBalancer = {
  arn: "arn:lb",
  name: "gannet-web-1",
  dnsName: "x.elb",
  canonicalHostedZoneId: "Z",
  scheme: "internal",
  ipAddressType: "ipv4",
  subnetIds: ["s-b", "s-a"],
  securityGroupIds: ["sg-1"],
  tags: {},
  listeners: [
    {
      arn: "arn:listener",
      port: 80,
      protocol: "HTTP",
      defaultActions: [{ type: "fixed-response", statusCode: "404", contentType: "text/plain" }],
      certificateArns: [],
      owned: true,
      rules: [
        {
          arn: "arn:rule",
          priority: 1,
          conditions: [{ field: "path-pattern", values: ["/*"] }],
          actions: [{ type: "forward", targetGroups: [{ targetGroupArn: "arn:tg", weight: 1 }] }],
          owned: true,
        },
      ],
    },
  ],
};

const converged: ObservedGroup = {
  loadBalancers: [observedLb],
  targetGroups: [observedTg],
  securityGroups: [{ id: "sg-1", name: "gannet-web", ingress: [{ port: 80, cidr: "0.0.0.0/0" }], tags: {} }],
};

const kinds = (g: DesiredGroup, o: ObservedGroup) => planGroup(g, o).changes.map((c) => c.kind);

describe("planGroup", () => {
  it("plans nothing for a converged group", () => {
    expect(kinds(desired, converged)).toEqual([]);
  });

  it("keeps a rule in its last good state and the target group it forwards to, though unused", () => {
    const rule = desired.listeners[0]?.rules[0];
    const listener = desired.listeners[0];
    if (!rule || !listener) throw new Error("fixture");
    const kept: DesiredGroup = {
      ...desired,
      listeners: [{ ...listener, rules: [{ ...rule, actions: [], keepExisting: true }] }],
      targetGroups: [],
    };

    expect(kinds(kept, converged)).toEqual([]);
  });

  it("creates nothing for a kept rule that does not exist, and drops the target group", () => {
    const rule = desired.listeners[0]?.rules[0];
    const listener = desired.listeners[0];
    if (!rule || !listener) throw new Error("fixture");
    const kept: DesiredGroup = {
      ...desired,
      listeners: [
        {
          ...listener,
          rules: [
            {
              ...rule,
              conditions: [{ field: "path-pattern", values: ["/new"] }],
              actions: [],
              keepExisting: true,
            },
          ],
        },
      ],
      targetGroups: [],
    };

    expect(kinds(kept, converged)).toEqual(["deleteRule", "deleteTargetGroup"]);
  });

  it("creates everything from empty, in dependency order", () => {
    const empty: ObservedGroup = { loadBalancers: [], targetGroups: [], securityGroups: [] };

    expect(kinds(desired, empty)).toEqual([
      "createSecurityGroup",
      "authorizeIngress",
      "createLoadBalancer",
      "createTargetGroup",
      "registerTargets",
      "createListener",
      "createRule",
    ]);
  });

  it("deletes everything the group owns when it has no member left, ALB first", () => {
    const gone: DesiredGroup = {
      group: "ns/web",
      members: [],
      listeners: [],
      targetGroups: [],
      problems: [],
    };

    expect(kinds(gone, converged)).toEqual([
      "deleteLoadBalancer",
      "deleteTargetGroup",
      "deleteSecurityGroup",
    ]);
  });

  it("changes nothing at all while the group is halted", () => {
    const halted: DesiredGroup = { ...desired, halt: { reason: "no subnets" } };

    expect(kinds(halted, converged)).toEqual([]);
  });

  it("replaces a target group whose immutable settings changed: new one first, old one after the rules move", () => {
    const renamed: DesiredGroup = {
      ...desired,
      targetGroups: [{ ...tg, name: "gn-web-bbbb", protocol: "HTTPS" }],
    };

    expect(kinds(renamed, converged)).toEqual([
      "createTargetGroup",
      "registerTargets",
      "modifyRule",
      "deleteTargetGroup",
    ]);
  });

  it("registers new pod IPs and deregisters gone ones, nothing else", () => {
    const moved: DesiredGroup = {
      ...desired,
      targetGroups: [{ ...tg, targets: [{ id: "10.0.0.2", port: 8080 }] }],
    };

    expect(kinds(moved, converged)).toEqual(["registerTargets", "deregisterTargets"]);
  });

  it("opens and closes ports on the security group and fixes ALB subnets in place", () => {
    const changed: DesiredGroup = {
      ...desired,
      securityGroup: {
        name: "gannet-web",
        description: "d",
        ingress: [{ port: 443, cidr: "0.0.0.0/0" }],
        tags: {},
      },
      loadBalancer: {
        name: "gannet-web-1",
        scheme: "internal",
        ipAddressType: "ipv4",
        subnetIds: ["s-a", "s-c"],
        tags: {},
      },
    };

    expect(kinds(changed, converged)).toEqual(["authorizeIngress", "revokeIngress", "setSubnets"]);
  });

  it("replaces the ALB when its name (scheme) changes, deleting the old one first", () => {
    const public_: DesiredGroup = {
      ...desired,
      loadBalancer: {
        name: "gannet-web-2",
        scheme: "internet-facing",
        ipAddressType: "ipv4",
        subnetIds: ["s-a", "s-b"],
        tags: {},
      },
    };

    expect(kinds(public_, converged)).toEqual([
      "deleteLoadBalancer",
      "createLoadBalancer",
      "createListener",
      "createRule",
    ]);
  });
});
