import { describe, expect, it } from "vitest";
import type { DesiredBackendSecurityGroup, DesiredGroup, HealthCheck } from "../model/desired.ts";
import type {
  ObservedBackendRule,
  ObservedGroup,
  ObservedLoadBalancer,
  ObservedSecurityGroup,
} from "../types/alb.ts";
import { planBackendRules } from "./backend-rules.ts";
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
const backendSg: DesiredBackendSecurityGroup = {
  name: "gannet-web-backend",
  description: "d",
  tags: {},
  source: {
    ingress: "ns/web",
    field: "metadata.annotations['alb.ingress.kubernetes.io/manage-backend-security-group-rules']",
  },
};
const managed: ObservedSecurityGroup = {
  id: "sg-managed",
  name: "sg",
  ingress: [{ port: 80, cidr: "0.0.0.0/0" }],
  tags: {},
};
const backend: ObservedSecurityGroup = {
  id: "sg-backend",
  name: "gannet-web-backend",
  ingress: [],
  tags: {},
};

const base: DesiredGroup = {
  group: "ns/web",
  members: ["ns/web"],
  loadBalancer: { name: "lb", scheme: "internal", ipAddressType: "ipv4", subnetIds: ["s-a"], tags: {} },
  securityGroup: { name: "sg", description: "d", ingress: [{ port: 80, cidr: "0.0.0.0/0" }], tags: {} },
  listeners: [{ port: 80, protocol: "HTTP", defaultActions: [notFound], rules: [] }],
  targetGroups: [],
  problems: [],
};

const lbWith = (securityGroupIds: string[]): ObservedLoadBalancer => ({
  arn: "arn:lb",
  name: "lb",
  dnsName: "lb.elb",
  canonicalHostedZoneId: "Z",
  scheme: "internal",
  ipAddressType: "ipv4",
  subnetIds: ["s-a"],
  securityGroupIds,
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
});

/** The desired group with the user's groups (or, when `keep`, unresolved ones) and maybe a backend group. */
function want(o: { user?: string[]; keep?: boolean; backend?: boolean }): DesiredGroup {
  const { securityGroup: _, ...withoutManaged } = base;
  const lb = base.loadBalancer as NonNullable<DesiredGroup["loadBalancer"]>;
  return {
    ...(o.user || o.keep ? withoutManaged : base),
    loadBalancer: {
      ...lb,
      ...(o.user ? { securityGroupIds: o.user } : {}),
      ...(o.keep ? { keepSecurityGroups: true as const } : {}),
    },
    ...(o.backend ? { backendSecurityGroup: backendSg } : {}),
  };
}

function have(
  lbGroups: string[] | undefined,
  sgs: ObservedSecurityGroup[],
  backends: ObservedSecurityGroup[] = [],
): ObservedGroup {
  return {
    loadBalancers: lbGroups ? [lbWith(lbGroups)] : [],
    targetGroups: [],
    securityGroups: sgs,
    backendSecurityGroups: backends,
  };
}

describe("planGroup: the ALB's security groups", () => {
  it.each([
    { case: "managed, converged", desired: want({}), observed: have(["sg-managed"], [managed]), kinds: [] },
    {
      case: "managed, with a group added by hand (left alone)",
      desired: want({}),
      observed: have(["sg-managed", "sg-hand"], [managed]),
      kinds: [],
    },
    {
      case: "the user's groups replace the managed one, which goes once detached",
      desired: want({ user: ["sg-u1", "sg-u2"] }),
      observed: have(["sg-managed"], [managed]),
      kinds: ["setSecurityGroups", "deleteSecurityGroup"],
    },
    {
      case: "the user's groups, converged",
      desired: want({ user: ["sg-u1", "sg-u2"] }),
      observed: have(["sg-u2", "sg-u1"], []),
      kinds: [],
    },
    {
      case: "one of the user's groups removed from the annotation",
      desired: want({ user: ["sg-u1"] }),
      observed: have(["sg-u2", "sg-u1"], []),
      kinds: ["setSecurityGroups"],
    },
    {
      case: "back to the managed group",
      desired: want({}),
      observed: have(["sg-u1"], []),
      kinds: ["createSecurityGroup", "authorizeIngress", "setSecurityGroups"],
    },
    {
      case: "unresolved entries: the ALB keeps what it has, the managed group it uses stays",
      desired: want({ keep: true }),
      observed: have(["sg-managed"], [managed]),
      kinds: [],
    },
    {
      case: "unresolved entries and no ALB yet: nothing is created",
      desired: want({ keep: true }),
      observed: have(undefined, []),
      kinds: [],
    },
    {
      case: "the user names Gannet's own group by ID: it is not deleted",
      desired: want({ user: ["sg-managed"] }),
      observed: have(["sg-managed"], [managed]),
      kinds: [],
    },
    {
      case: "a backend group is created and attached beside the managed one",
      desired: want({ backend: true }),
      observed: have(["sg-managed"], [managed]),
      kinds: ["createBackendSecurityGroup", "setSecurityGroups"],
    },
    {
      case: "backend group, converged",
      desired: want({ user: ["sg-u1"], backend: true }),
      observed: have(["sg-u1", "sg-backend"], [], [backend]),
      kinds: [],
    },
    {
      case: "backend group no longer wanted: detached, then deleted",
      desired: want({}),
      observed: have(["sg-managed", "sg-backend"], [managed], [backend]),
      kinds: ["setSecurityGroups", "deleteSecurityGroup"],
    },
    {
      case: "group deleted: the ALB, then both groups",
      desired: { group: "ns/web", members: [], listeners: [], targetGroups: [], problems: [] },
      observed: have(["sg-managed", "sg-backend"], [managed], [backend]),
      kinds: ["deleteLoadBalancer", "deleteSecurityGroup", "deleteSecurityGroup"],
    },
  ])("$case", ({ desired, observed, kinds }) => {
    expect(planGroup(desired, observed).changes.map((c) => c.kind)).toEqual(kinds);
  });

  it("creates a new ALB with the user's groups without creating the managed one", () => {
    expect(planGroup(want({ user: ["sg-u1"] }), have(undefined, [])).changes.map((c) => c.kind)).toEqual([
      "createLoadBalancer",
      "createListener",
    ]);
  });
});

const rule = (
  securityGroupId: string,
  port: number,
  source = "sg-backend",
  ruleId = `sgr-${securityGroupId}-${port}`,
): ObservedBackendRule => ({
  ruleId,
  securityGroupId,
  port,
  sourceSecurityGroupId: source,
});

function withTargets(targets: { id: string; port: number }[], hcPort = "traffic-port"): DesiredGroup {
  return {
    ...want({ backend: true }),
    targetGroups: [
      {
        key: "ns/web:80",
        name: "tg",
        protocol: "HTTP",
        protocolVersion: "HTTP1",
        port: 80,
        targetType: "ip",
        healthCheck: { ...healthCheck, port: hcPort },
        targets,
        tags: {},
      },
    ],
  };
}

describe("planBackendRules", () => {
  const node = [{ id: "sg-node", clusterTagged: false }];
  const nodeIps = { "10.0.0.1": node, "10.0.0.2": node };

  it.each([
    {
      case: "opens each target port of the node's group to the backend group, once",
      targets: [
        { id: "10.0.0.1", port: 8080 },
        { id: "10.0.0.2", port: 8080 },
      ],
      rules: [],
      authorize: [{ kind: "authorizeBackendRules", securityGroupId: "sg-node", ports: [8080] }],
      revoke: [],
    },
    {
      case: "converged",
      targets: [{ id: "10.0.0.1", port: 8080 }],
      rules: [rule("sg-node", 8080)],
      authorize: [],
      revoke: [],
    },
    {
      case: "a port no target uses any more is closed",
      targets: [{ id: "10.0.0.1", port: 9090 }],
      rules: [rule("sg-node", 8080)],
      authorize: [{ kind: "authorizeBackendRules", securityGroupId: "sg-node", ports: [9090] }],
      revoke: [
        {
          kind: "revokeBackendRules",
          securityGroupId: "sg-node",
          ruleIds: ["sgr-sg-node-8080"],
          ports: [8080],
        },
      ],
    },
    {
      case: "a rule from an old backend group is replaced",
      targets: [{ id: "10.0.0.1", port: 8080 }],
      rules: [rule("sg-node", 8080, "sg-old", "sgr-old")],
      authorize: [{ kind: "authorizeBackendRules", securityGroupId: "sg-node", ports: [8080] }],
      revoke: [
        { kind: "revokeBackendRules", securityGroupId: "sg-node", ruleIds: ["sgr-old"], ports: [8080] },
      ],
    },
  ])("$case", ({ targets, rules, authorize, revoke }) => {
    const plan = planBackendRules(
      withTargets(targets),
      {
        ...have(["sg-managed", "sg-backend"], [managed], [backend]),
        backendRules: rules,
        targetSecurityGroups: nodeIps,
      },
      backend,
    );

    expect(plan.authorize).toEqual(authorize);
    expect(plan.revoke).toEqual(revoke);
    expect(plan.problems).toEqual([]);
  });

  it("opens a numeric health check port too", () => {
    const plan = planBackendRules(
      withTargets([{ id: "10.0.0.1", port: 8080 }], "8081"),
      { ...have([], []), targetSecurityGroups: nodeIps },
      backend,
    );

    expect(plan.authorize).toEqual([
      { kind: "authorizeBackendRules", securityGroupId: "sg-node", ports: [8080, 8081] },
    ]);
  });

  it.each([
    { groups: undefined, chosen: undefined, says: "no network interface of the VPC holds this IP" },
    {
      groups: [
        { id: "sg-a", clusterTagged: false },
        { id: "sg-b", clusterTagged: true },
      ],
      chosen: "sg-b",
      says: undefined,
    },
    {
      groups: [
        { id: "sg-a", clusterTagged: false },
        { id: "sg-b", clusterTagged: false },
      ],
      chosen: undefined,
      says: "has 2 security groups (sg-a, sg-b) and none is tagged",
    },
    {
      groups: [
        { id: "sg-a", clusterTagged: true },
        { id: "sg-b", clusterTagged: true },
      ],
      chosen: undefined,
      says: "more than one is tagged",
    },
  ])("chooses among an interface's groups: $groups", ({ groups, chosen, says }) => {
    const plan = planBackendRules(
      withTargets([{ id: "10.0.0.9", port: 8080 }]),
      { ...have([], []), targetSecurityGroups: groups ? { "10.0.0.9": groups } : {} },
      backend,
    );

    expect(plan.authorize).toEqual(
      chosen ? [{ kind: "authorizeBackendRules", securityGroupId: chosen, ports: [8080] }] : [],
    );
    expect(plan.problems).toEqual(
      says
        ? [
            expect.objectContaining({
              ingress: "ns/web",
              field: backendSg.source.field,
              message: expect.stringMatching(
                new RegExp(`^target 10\\.0\\.0\\.9: .*${says.replace(/[()]/g, "\\$&")}`),
              ),
            }),
          ]
        : [],
    );
  });

  it("revokes every rule of the group when backend rules are no longer wanted", () => {
    const plan = planBackendRules(
      { ...base, targetGroups: [] },
      { ...have([], []), backendRules: [rule("sg-node", 8080), rule("sg-other", 80)] },
      undefined,
    );

    expect(plan.revoke.map((c) => c.kind === "revokeBackendRules" && c.securityGroupId)).toEqual([
      "sg-node",
      "sg-other",
    ]);
  });

  it("orders backend rules around the rest: opened before targets register, closed before the group goes", () => {
    const desired = withTargets([{ id: "10.0.0.1", port: 8080 }]);
    const kinds = planGroup(desired, {
      loadBalancers: [],
      targetGroups: [],
      securityGroups: [],
      targetSecurityGroups: nodeIps,
    }).changes.map((c) => c.kind);
    expect(kinds).toEqual([
      "createSecurityGroup",
      "authorizeIngress",
      "createBackendSecurityGroup",
      "authorizeBackendRules",
      "createLoadBalancer",
      "createTargetGroup",
      "registerTargets",
      "createListener",
    ]);
    const gone = planGroup(
      { group: "ns/web", members: [], listeners: [], targetGroups: [], problems: [] },
      { ...have(["sg-backend"], [], [backend]), backendRules: [rule("sg-node", 8080)] },
    ).changes.map((c) => c.kind);
    expect(gone).toEqual(["deleteLoadBalancer", "revokeBackendRules", "deleteSecurityGroup"]);
  });
});
