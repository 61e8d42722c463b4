// AWS adapter: every AWS operation Gannet's code can call, by service as the call layer names it
// (the SDK client's name without `Client`). operations.test.ts scans src/aws/ and fails when this list
// and the commands the ports send drift apart; infra/ builds the IAM policy from it, and its coverage
// test fails when the policy misses an operation or grants an action no operation needs.

/** The services of the call layer, named as `CallStats` names them. */
export type AwsService = "ElasticLoadBalancingV2" | "EC2" | "ACM" | "Route53" | "WAFV2" | "EKS";

/** The operations each service's port calls, sorted. */
export const AWS_OPERATIONS: { readonly [S in AwsService]: readonly string[] } = {
  ElasticLoadBalancingV2: [
    "AddListenerCertificates",
    "AddTags",
    "CreateListener",
    "CreateLoadBalancer",
    "CreateRule",
    "CreateTargetGroup",
    "DeleteListener",
    "DeleteLoadBalancer",
    "DeleteRule",
    "DeleteTargetGroup",
    "DeregisterTargets",
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
    "ModifyListener",
    "ModifyListenerAttributes",
    "ModifyLoadBalancerAttributes",
    "ModifyRule",
    "ModifyTargetGroup",
    "ModifyTargetGroupAttributes",
    "RegisterTargets",
    "RemoveListenerCertificates",
    "RemoveTags",
    "SetIpAddressType",
    "SetRulePriorities",
    "SetSecurityGroups",
    "SetSubnets",
  ],
  EC2: [
    "AuthorizeSecurityGroupIngress",
    "CreateSecurityGroup",
    "DeleteSecurityGroup",
    "DescribeNetworkInterfaces",
    "DescribeSecurityGroupRules",
    "DescribeSecurityGroups",
    "DescribeSubnets",
    "RevokeSecurityGroupIngress",
  ],
  ACM: [
    "DeleteCertificate",
    "DescribeCertificate",
    "ListCertificates",
    "ListTagsForCertificate",
    "RequestCertificate",
  ],
  Route53: ["ChangeResourceRecordSets", "ListHostedZones", "ListResourceRecordSets"],
  WAFV2: ["AssociateWebACL", "DisassociateWebACL", "GetWebACLForResource"],
  // Only the Lambda handler: where its cluster's API server is (src/aws/eks.ts). The bearer token is a
  // presigned STS GetCallerIdentity URL, signed locally: no call, no permission.
  EKS: ["DescribeCluster"],
};

/** Services only the Lambda front door calls (the in-cluster controller is given its API server). */
export const LAMBDA_ONLY_SERVICES: readonly AwsService[] = ["EKS"];

/** The SDK package of each service (how operations.test.ts ties a source file to a service). */
export const AWS_SDK_PACKAGES: { readonly [S in AwsService]: string } = {
  ElasticLoadBalancingV2: "@aws-sdk/client-elastic-load-balancing-v2",
  EC2: "@aws-sdk/client-ec2",
  ACM: "@aws-sdk/client-acm",
  Route53: "@aws-sdk/client-route-53",
  WAFV2: "@aws-sdk/client-wafv2",
  EKS: "@aws-sdk/client-eks",
};
