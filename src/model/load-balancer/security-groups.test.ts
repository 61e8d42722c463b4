import { describe, expect, it } from "vitest";
import { securityGroupEntriesOf } from "../../sources/ingress/settings/security-group-entries.ts";
import { buildShop, endpointSlice, path, service, shopMember } from "../../testing/test-fixtures.ts";
import type { SecurityGroupLookup } from "./security-groups.ts";

const world = { services: [service("web")], slices: [endpointSlice("web", [{ ip: "10.0.0.1" }])] };
const member = (name: string, order: number, annotations: Record<string, string>) =>
  shopMember(name, order, {
    annotations,
    rules: [{ host: `${name}.example.com`, http: { paths: [path("/", "Prefix")] } }],
  });
const SG1 = "sg-0123456789abcdef1";
const SG2 = "sg-0123456789abcdef2";
const lookup: SecurityGroupLookup = new Map([
  [SG1, [SG1]],
  [SG2, [SG2]],
  ["web", [SG2]],
  ["twice", [SG2, SG1]],
  ["nowhere", []],
  ["sg-00000000000000000", []],
]);

describe("security-groups", () => {
  it("without it, the managed security group opens the listen ports to inbound-cidrs", () => {
    const desired = buildShop([member("a", 1, {})], world);

    expect(desired.securityGroup?.ingress).toEqual([{ port: 80, cidr: "0.0.0.0/0" }]);
    expect(desired.loadBalancer?.securityGroupIds).toBeUndefined();
    expect(desired.backendSecurityGroup).toBeUndefined();
  });

  it.each([
    { entries: `${SG1}`, ids: [SG1] },
    { entries: `web, ${SG1}`, ids: [SG1, SG2] },
    { entries: `web,${SG2}`, ids: [SG2] },
  ])("replaces the managed group with the user's: $entries", ({ entries, ids }) => {
    const desired = buildShop([member("a", 1, { "security-groups": entries })], world, {
      securityGroupLookup: lookup,
    });

    expect(desired.loadBalancer?.securityGroupIds).toEqual(ids);
    expect(desired.loadBalancer?.keepSecurityGroups).toBeUndefined();
    expect(desired.securityGroup).toBeUndefined();
    expect(desired.problems).toEqual([]);
  });

  it.each([
    { entries: "nowhere", says: 'no security group of VPC vpc-0example has the Name tag "nowhere"' },
    {
      entries: "twice",
      says: "matches 2 security groups of VPC vpc-0example (sg-0123456789abcdef1, sg-0123456789abcdef2)",
    },
    {
      entries: `${SG1},sg-00000000000000000`,
      says: "security group sg-00000000000000000 does not exist in VPC vpc-0example",
    },
  ])("keeps the ALB's current groups when an entry does not resolve: $entries", ({ entries, says }) => {
    const desired = buildShop([member("a", 1, { "security-groups": entries })], world, {
      securityGroupLookup: lookup,
    });

    expect(desired.loadBalancer?.keepSecurityGroups).toBe(true);
    expect(desired.loadBalancer?.securityGroupIds).toBeUndefined();
    expect(desired.securityGroup).toBeUndefined();
    expect(desired.halt).toBeUndefined();
    expect(desired.listeners[0]?.rules).toHaveLength(1);
    expect(desired.problems).toEqual([
      {
        ingress: "apps/a",
        field: "metadata.annotations['alb.ingress.kubernetes.io/security-groups']",
        value: entries,
        message: expect.stringMatching(
          new RegExp(`${says.replace(/[()]/g, "\\$&")}.*keeps the security groups it has`),
        ),
        scope: "rule",
      },
    ]);
  });

  it("takes IDs as written, and cannot resolve names, without a lookup", () => {
    expect(
      buildShop([member("a", 1, { "security-groups": SG1 })], world).loadBalancer?.securityGroupIds,
    ).toEqual([SG1]);
    expect(
      buildShop([member("a", 1, { "security-groups": "web" })], world).loadBalancer?.keepSecurityGroups,
    ).toBe(true);
  });

  it("halts the group when the only member stating it has an invalid value (the default would open the ALB)", () => {
    const desired = buildShop([member("a", 1, { "security-groups": "sg-1" }), member("b", 2, {})], world);

    expect(desired.halt?.reason).toContain("alb.ingress.kubernetes.io/security-groups");
    expect(desired.loadBalancer).toBeUndefined();
  });

  it("leaves out a member that states other groups, as for any load-balancer-wide setting", () => {
    const desired = buildShop(
      [member("a", 1, { "security-groups": SG1 }), member("b", 2, { "security-groups": SG2 })],
      world,
      { securityGroupLookup: lookup },
    );

    expect(desired.members).toEqual(["apps/a"]);
    expect(desired.loadBalancer?.securityGroupIds).toEqual([SG1]);
    expect(desired.problems).toEqual([
      expect.objectContaining({
        ingress: "apps/b",
        message: expect.stringContaining("conflicts with"),
        scope: "member",
      }),
    ]);
  });

  it("warns that inbound-cidrs has no effect beside it", () => {
    const desired = buildShop(
      [member("a", 1, { "security-groups": SG1, "inbound-cidrs": "10.0.0.0/8" })],
      world,
      { securityGroupLookup: lookup },
    );

    expect(desired.problems).toEqual([
      expect.objectContaining({
        field: "metadata.annotations['alb.ingress.kubernetes.io/inbound-cidrs']",
        message: expect.stringContaining("has no effect with security-groups"),
      }),
    ]);
  });

  it("lists the valid entries of every member to look up", () => {
    expect(
      securityGroupEntriesOf([
        member("a", 1, { "security-groups": `web, ${SG1}` }),
        member("b", 2, { "security-groups": "sg-bad" }),
        member("c", 3, { "security-groups": "web" }),
        member("d", 4, {}),
      ]),
    ).toEqual([SG1, "web"]);
  });
});

describe("manage-backend-security-group-rules", () => {
  it.each([
    { annotations: { "manage-backend-security-group-rules": "true" }, backend: true },
    { annotations: { "manage-backend-security-group-rules": "true", "security-groups": SG1 }, backend: true },
    { annotations: { "manage-backend-security-group-rules": "false" }, backend: false },
    { annotations: {}, backend: false },
  ])("$annotations", ({ annotations, backend }) => {
    const desired = buildShop([member("a", 1, annotations)], world, { securityGroupLookup: lookup });

    expect(desired.backendSecurityGroup).toEqual(
      backend
        ? {
            name: expect.stringMatching(/^gannet-shop-backend-[0-9a-f]{10}$/),
            description: "Gannet backend security group for Ingress group shop",
            tags: {
              "gannet.io/cluster": "gannet-dev",
              "gannet.io/group": "shop",
              "gannet.io/resource": "backend-security-group",
            },
            source: {
              ingress: "apps/a",
              field: "metadata.annotations['alb.ingress.kubernetes.io/manage-backend-security-group-rules']",
            },
          }
        : undefined,
    );
  });

  it("halts the group when its only setter has an invalid value (false would cut the targets off)", () => {
    const desired = buildShop([member("a", 1, { "manage-backend-security-group-rules": "on" })], world);

    expect(desired.halt).toBeDefined();
  });
});
