import { App, Stack } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as iam from "aws-cdk-lib/aws-iam";
import * as route53 from "aws-cdk-lib/aws-route53";
import { describe, expect, it } from "vitest";
import { AWS_OPERATIONS } from "../../src/aws/operations.ts";
import { buildGannetPolicyStatements, type GannetPolicyOptions } from "./gannet-policy.ts";
import { DEPENDENT_ACTIONS, type GannetRuntime, requiredActions } from "./iam-actions.ts";

interface Statement {
  Sid: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

function render(runtime: GannetRuntime, extra: Partial<GannetPolicyOptions> = {}): Statement[] {
  const stack = new Stack(new App(), "S", { env: { account: "111122223333", region: "eu-west-1" } });
  const zone = route53.HostedZone.fromHostedZoneId(stack, "Zone", "Z0123456789ABC");
  const doc = new iam.PolicyDocument({
    statements: buildGannetPolicyStatements(stack, {
      runtime,
      clusterName: "prod",
      hostedZones: [zone],
      eksClusterArn: "arn:aws:eks:eu-west-1:111122223333:cluster/prod",
      ...extra,
    }),
  });
  return (stack.resolve(doc.toJSON()) as { Statement: Statement[] }).Statement;
}

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const granted = (statements: Statement[]) => [...new Set(statements.flatMap(actionsOf))].sort();
const bySid = (statements: Statement[], sid: string) => {
  const s = statements.find((x) => x.Sid === sid);
  if (!s) throw new Error(`no statement ${sid}`);
  return s;
};

describe("Gannet's IAM policy covers exactly what the code calls", () => {
  it.each<GannetRuntime>(["in-cluster", "lambda"])("%s: every needed action, and no other", (runtime) => {
    // Prepare
    const needed = requiredActions(runtime);
    // Act
    const actions = granted(render(runtime));
    // Assess
    expect(actions.filter((a) => !needed.includes(a))).toEqual([]);
    expect(needed.filter((a) => !actions.includes(a))).toEqual([]);
  });

  it("derives the needed actions from the call layer's operation list", () => {
    const needed = requiredActions("in-cluster");
    expect(needed).toContain("elasticloadbalancing:CreateRule");
    expect(needed).toContain("route53:ChangeResourceRecordSets");
    expect(needed).toContain("elasticloadbalancing:SetWebAcl");
    expect(needed).not.toContain("eks:DescribeCluster");
    expect(requiredActions("lambda")).toContain("eks:DescribeCluster");
    for (const op of AWS_OPERATIONS.WAFV2) expect(needed).toContain(`wafv2:${op}`);
    for (const dependent of Object.values(DEPENDENT_ACTIONS).flat()) expect(needed).toContain(dependent);
  });

  it("never grants a wildcard action", () => {
    for (const s of render("lambda")) for (const a of actionsOf(s)) expect(a).not.toContain("*");
  });
});

describe("Gannet's IAM policy is scoped by ownership tags, zones and VPC", () => {
  const statements = render("lambda");

  it.each([
    ["CreateOwnedLoadBalancerResources", "aws:RequestTag/gannet.io/cluster"],
    ["TagLoadBalancerResourcesOnCreate", "aws:RequestTag/gannet.io/cluster"],
    ["ChangeOwnedLoadBalancerResources", "aws:ResourceTag/gannet.io/cluster"],
    ["TagOwnedLoadBalancersWithState", "aws:ResourceTag/gannet.io/cluster"],
    ["CreateOwnedSecurityGroups", "aws:RequestTag/gannet.io/cluster"],
    ["TagSecurityGroupsAndRulesOnCreate", "aws:RequestTag/gannet.io/cluster"],
    ["DeleteOwnedSecurityGroups", "aws:ResourceTag/gannet.io/cluster"],
    ["RequestOwnedCertificates", "aws:RequestTag/gannet.io/cluster"],
    ["TagCertificatesOnRequest", "aws:RequestTag/gannet.io/cluster"],
    ["DeleteOwnedCertificates", "aws:ResourceTag/gannet.io/cluster"],
  ])("%s requires %s = the cluster name", (sid, key) => {
    expect(bySid(statements, sid).Condition?.StringEquals?.[key]).toBe("prod");
  });

  it("tags on create only as part of Gannet's creates", () => {
    expect(bySid(statements, "TagLoadBalancerResourcesOnCreate").Condition?.StringEquals).toMatchObject({
      "elasticloadbalancing:CreateAction": [
        "CreateLoadBalancer",
        "CreateTargetGroup",
        "CreateListener",
        "CreateRule",
      ],
    });
    expect(bySid(statements, "TagSecurityGroupsAndRulesOnCreate").Condition?.StringEquals).toMatchObject({
      "ec2:CreateAction": ["CreateSecurityGroup", "AuthorizeSecurityGroupIngress"],
    });
  });

  it("lets later tag writes touch the fingerprint tag only", () => {
    expect(bySid(statements, "TagOwnedLoadBalancersWithState").Condition).toMatchObject({
      "ForAllValues:StringEquals": { "aws:TagKeys": ["gannet.io/state"] },
    });
  });

  it("changes records only in the given zones, only of Gannet's types", () => {
    const change = bySid(statements, "ChangeRecordsInZones");
    expect(change.Resource).toEqual({
      "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, ":route53:::hostedzone/Z0123456789ABC"]],
    });
    expect(change.Condition).toEqual({
      "ForAllValues:StringEquals": {
        "route53:ChangeResourceRecordSetsRecordTypes": ["A", "AAAA", "CNAME", "TXT"],
      },
    });
  });

  it("keeps '*' resources to actions without resource-level permissions", () => {
    const star = statements.filter((s) => s.Resource === "*").map((s) => s.Sid);
    expect(star.sort()).toEqual(["ReadWithoutResourceScope", "RequestOwnedCertificates"]);
    expect(
      actionsOf(bySid(statements, "ReadWithoutResourceScope")).every((a) => /:(Describe|List)/.test(a)),
    ).toBe(true);
  });

  it("limits ingress rule changes and security group creation to the VPC when one is given", () => {
    // Prepare
    const stack = new Stack(new App(), "V", { env: { account: "111122223333", region: "eu-west-1" } });
    const vpc = ec2.Vpc.fromVpcAttributes(stack, "Vpc", {
      vpcId: "vpc-0abc1234",
      availabilityZones: ["eu-west-1a"],
    });
    // Act
    const scoped = render("in-cluster", { vpc });
    // Assess
    expect(JSON.stringify(bySid(scoped, "ChangeIngressRules").Condition)).toContain("vpc/vpc-0abc1234");
    expect(JSON.stringify(bySid(scoped, "CreateSecurityGroupsInVpc").Resource)).toContain("vpc/vpc-0abc1234");
    expect(bySid(statements, "ChangeIngressRules").Condition).toBeUndefined();
  });

  it("describes only the one EKS cluster", () => {
    expect(bySid(statements, "DescribeEksCluster").Resource).toBe(
      "arn:aws:eks:eu-west-1:111122223333:cluster/prod",
    );
    expect(render("in-cluster").some((s) => s.Sid === "DescribeEksCluster")).toBe(false);
  });
});
