// Infrastructure: which IAM actions Gannet's AWS operations need. The operations come from the call
// layer's list (src/aws/operations.ts); this file adds what IAM knows and the code does not say.

import { AWS_OPERATIONS, type AwsService, LAMBDA_ONLY_SERVICES } from "../../src/aws/operations.ts";

/** Which front door runs the code: the Lambda handler also asks EKS where its cluster is. */
export type GannetRuntime = "lambda" | "in-cluster";

/** The IAM service prefix of each call-layer service. */
export const IAM_PREFIXES: { readonly [S in AwsService]: string } = {
  ElasticLoadBalancingV2: "elasticloadbalancing",
  EC2: "ec2",
  ACM: "acm",
  Route53: "route53",
  WAFV2: "wafv2",
  EKS: "eks",
};

/**
 * Actions an operation needs besides its own, as Gannet sends it (Service Authorization Reference,
 * "Dependent actions" and tag-on-create): every create carries Gannet's ownership tags, which IAM
 * authorizes as a tagging action; a web ACL association also changes the ALB.
 */
export const DEPENDENT_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  // The ELB service-linked role is created on an account's first load balancer, by the caller.
  "elasticloadbalancing:CreateLoadBalancer": ["elasticloadbalancing:AddTags", "iam:CreateServiceLinkedRole"],
  "elasticloadbalancing:CreateTargetGroup": ["elasticloadbalancing:AddTags"],
  "elasticloadbalancing:CreateListener": ["elasticloadbalancing:AddTags"],
  "elasticloadbalancing:CreateRule": ["elasticloadbalancing:AddTags"],
  "ec2:CreateSecurityGroup": ["ec2:CreateTags"],
  // Backend rules are tagged as they are added (TagSpecifications of type security-group-rule).
  "ec2:AuthorizeSecurityGroupIngress": ["ec2:CreateTags"],
  "acm:RequestCertificate": ["acm:AddTagsToCertificate"],
  "wafv2:AssociateWebACL": ["elasticloadbalancing:SetWebAcl"],
  "wafv2:DisassociateWebACL": ["elasticloadbalancing:SetWebAcl"],
};

/** Every IAM action a runtime of Gannet needs, sorted: what the policy must grant, no more. */
export function requiredActions(runtime: GannetRuntime): string[] {
  const own = Object.entries(AWS_OPERATIONS)
    .filter(([service]) => runtime === "lambda" || !LAMBDA_ONLY_SERVICES.includes(service as AwsService))
    .flatMap(([service, ops]) => ops.map((op) => `${IAM_PREFIXES[service as AwsService]}:${op}`));
  return [...new Set([...own, ...own.flatMap((a) => DEPENDENT_ACTIONS[a] ?? [])])].sort();
}
