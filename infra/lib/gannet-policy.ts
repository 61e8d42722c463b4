// Infrastructure: the one IAM policy both flavours of Gannet run with, scoped as tightly as each AWS
// service allows. Mutations are tied to Gannet's ownership tag (src/model/ownership.ts): creates must
// carry `gannet.io/cluster=<cluster>` (aws:RequestTag), changes and deletes need it on the resource
// (aws:ResourceTag). Route53 has no tag conditions: record changes are limited to the given hosted
// zones and to the record types Gannet writes. Reads stay on "*" only where AWS offers nothing narrower.

import { ArnFormat, Stack } from "aws-cdk-lib";
import type * as ec2 from "aws-cdk-lib/aws-ec2";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as route53 from "aws-cdk-lib/aws-route53";
import type { IConstruct } from "constructs";
import { TAG } from "../../src/model/ownership.ts";
import type { GannetRuntime } from "./iam-actions.ts";

/** What the policy is scoped to. */
export interface GannetPolicyOptions {
  /** Which front door runs with it: the Lambda handler also calls eks:DescribeCluster. */
  readonly runtime: GannetRuntime;
  /** The cluster name Gannet writes into its ownership tags (GANNET_CLUSTER_NAME). */
  readonly clusterName: string;
  /** The hosted zones whose records Gannet may change. */
  readonly hostedZones: readonly route53.IHostedZone[];
  /** When given, security group writes are limited to this VPC. */
  readonly vpc?: ec2.IVpc;
  /** The EKS cluster's ARN (eks:DescribeCluster of the Lambda runtime). */
  readonly eksClusterArn?: string;
}

/** Record types Gannet writes: A and AAAA aliases, TXT ownership records, ACM validation CNAMEs. */
export const RECORD_TYPES = ["A", "AAAA", "CNAME", "TXT"] as const;

const ELB_CREATES = ["CreateLoadBalancer", "CreateTargetGroup", "CreateListener", "CreateRule"];

/** The statements of Gannet's policy; every one has a Sid that says what it is for. */
export function buildGannetPolicyStatements(
  scope: IConstruct,
  opts: GannetPolicyOptions,
): iam.PolicyStatement[] {
  const stack = Stack.of(scope);
  const arn = (service: string, resource: string, region = stack.region) =>
    stack.formatArn({ service, resource, region, arnFormat: ArnFormat.NO_RESOURCE_NAME });
  const elb = (resource: string) => arn("elasticloadbalancing", resource);
  const elbResources = [
    elb("loadbalancer/app/*/*"),
    elb("targetgroup/*/*"),
    elb("listener/app/*/*/*"),
    elb("listener-rule/app/*/*/*/*"),
  ];
  const loadBalancers = elb("loadbalancer/app/*/*");
  const securityGroups = arn("ec2", "security-group/*");
  const securityGroupRules = arn("ec2", "security-group-rule/*");
  const certificates = arn("acm", "certificate/*");
  const zones = opts.hostedZones.map((z) => z.hostedZoneArn);
  const owned = { StringEquals: { [`aws:ResourceTag/${TAG.cluster}`]: opts.clusterName } };
  const requested = { [`aws:RequestTag/${TAG.cluster}`]: opts.clusterName };
  const inVpc = opts.vpc ? { ArnEquals: { "ec2:Vpc": arn("ec2", `vpc/${opts.vpc.vpcId}`) } } : undefined;
  const statement = (sid: string, props: Omit<iam.PolicyStatementProps, "sid" | "effect">) =>
    new iam.PolicyStatement({ sid, effect: iam.Effect.ALLOW, ...props });

  const statements = [
    // These List/Describe actions support no resource-level permissions: "*" is the only form.
    statement("ReadWithoutResourceScope", {
      actions: [
        ...[
          "DescribeListenerAttributes",
          "DescribeListenerCertificates",
          "DescribeListeners",
          "DescribeLoadBalancerAttributes",
          "DescribeLoadBalancers",
          "DescribeRules",
          "DescribeTags",
          "DescribeTargetGroupAttributes",
          "DescribeTargetGroups",
          "DescribeTargetHealth",
        ].map((a) => `elasticloadbalancing:${a}`),
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSecurityGroupRules",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "acm:ListCertificates",
        "route53:ListHostedZones",
      ],
      resources: ["*"],
    }),
    // Certificates are discovered by host among all of the account's, not only Gannet's.
    statement("ReadCertificates", {
      actions: ["acm:DescribeCertificate", "acm:ListTagsForCertificate"],
      resources: [certificates],
    }),
    statement("CreateOwnedLoadBalancerResources", {
      actions: ELB_CREATES.map((a) => `elasticloadbalancing:${a}`),
      resources: elbResources,
      conditions: { StringEquals: requested },
    }),
    // Tags sent with a create are authorized as AddTags; only as part of those creates.
    statement("TagLoadBalancerResourcesOnCreate", {
      actions: ["elasticloadbalancing:AddTags"],
      resources: elbResources,
      conditions: { StringEquals: { ...requested, "elasticloadbalancing:CreateAction": ELB_CREATES } },
    }),
    statement("ChangeOwnedLoadBalancerResources", {
      actions: [
        "AddListenerCertificates",
        "DeleteListener",
        "DeleteLoadBalancer",
        "DeleteRule",
        "DeleteTargetGroup",
        "DeregisterTargets",
        "ModifyListener",
        "ModifyListenerAttributes",
        "ModifyLoadBalancerAttributes",
        "ModifyRule",
        "ModifyTargetGroup",
        "ModifyTargetGroupAttributes",
        "RegisterTargets",
        "RemoveListenerCertificates",
        "SetIpAddressType",
        "SetRulePriorities",
        "SetSecurityGroups",
        "SetSubnets",
        "SetWebAcl",
      ].map((a) => `elasticloadbalancing:${a}`),
      resources: elbResources,
      conditions: owned,
    }),
    // After a create, Gannet only ever writes the fingerprint tag on its own ALBs (apply/apply-reconcile.ts).
    statement("TagOwnedLoadBalancersWithState", {
      actions: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
      resources: [loadBalancers],
      conditions: { ...owned, "ForAllValues:StringEquals": { "aws:TagKeys": [TAG.state] } },
    }),
    statement("CreateLoadBalancingServiceLinkedRole", {
      actions: ["iam:CreateServiceLinkedRole"],
      resources: [
        stack.formatArn({
          service: "iam",
          region: "",
          resource:
            "role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing",
          arnFormat: ArnFormat.NO_RESOURCE_NAME,
        }),
      ],
      conditions: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } },
    }),
    statement("CreateOwnedSecurityGroups", {
      actions: ["ec2:CreateSecurityGroup"],
      resources: [securityGroups],
      conditions: { StringEquals: requested },
    }),
    // CreateSecurityGroup also authorizes against the VPC, which carries no Gannet tag.
    statement("CreateSecurityGroupsInVpc", {
      actions: ["ec2:CreateSecurityGroup"],
      resources: [arn("ec2", `vpc/${opts.vpc?.vpcId ?? "*"}`)],
    }),
    statement("TagSecurityGroupsAndRulesOnCreate", {
      actions: ["ec2:CreateTags"],
      resources: [securityGroups, securityGroupRules],
      conditions: {
        StringEquals: {
          ...requested,
          "ec2:CreateAction": ["CreateSecurityGroup", "AuthorizeSecurityGroupIngress"],
        },
      },
    }),
    // Ingress rules go on Gannet's own security groups and on its targets' (not Gannet's: a backend
    // rule lets the ALB reach the pods), so the group cannot be tag-scoped; the VPC can. Gannet
    // changes only rules that carry its tags (src/aws/ec2.ts listOwnedRules).
    statement("ChangeIngressRules", {
      actions: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
      resources: [securityGroups],
      ...(inVpc ? { conditions: inVpc } : {}),
    }),
    // The rule resource of those calls; the security group statement above decides.
    statement("IngressRuleResources", {
      actions: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
      resources: [securityGroupRules],
    }),
    statement("DeleteOwnedSecurityGroups", {
      actions: ["ec2:DeleteSecurityGroup"],
      resources: [securityGroups],
      conditions: owned,
    }),
    // RequestCertificate has no resource type: "*" with the tag condition.
    statement("RequestOwnedCertificates", {
      actions: ["acm:RequestCertificate"],
      resources: ["*"],
      conditions: { StringEquals: requested },
    }),
    statement("TagCertificatesOnRequest", {
      actions: ["acm:AddTagsToCertificate"],
      resources: [certificates],
      conditions: { StringEquals: requested },
    }),
    statement("DeleteOwnedCertificates", {
      actions: ["acm:DeleteCertificate"],
      resources: [certificates],
      conditions: owned,
    }),
    statement("ReadRecordsInZones", {
      actions: ["route53:ListResourceRecordSets"],
      resources: zones,
    }),
    statement("ChangeRecordsInZones", {
      actions: ["route53:ChangeResourceRecordSets"],
      resources: zones,
      conditions: {
        "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": [...RECORD_TYPES] },
      },
    }),
    // The web ACL is the user's (the wafv2-acl-arn annotation); the ALB side is checked by SetWebAcl above.
    statement("AssociateWebAcls", {
      actions: ["wafv2:AssociateWebACL", "wafv2:DisassociateWebACL", "wafv2:GetWebACLForResource"],
      resources: [arn("wafv2", "regional/webacl/*/*"), loadBalancers],
    }),
  ];
  if (opts.runtime === "lambda") {
    statements.push(
      statement("DescribeEksCluster", {
        actions: ["eks:DescribeCluster"],
        resources: [opts.eksClusterArn ?? arn("eks", "cluster/*")],
      }),
    );
  }
  return statements;
}
