// Test helpers for the infra tests: a stack holding an imported EKS cluster the way the app imports one.

import { App, Stack } from "aws-cdk-lib";
import type { Template } from "aws-cdk-lib/assertions";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as eks from "aws-cdk-lib/aws-eks";
import * as iam from "aws-cdk-lib/aws-iam";
import * as route53 from "aws-cdk-lib/aws-route53";

/** A stack in a fixed account and region with an imported cluster `prod` (kubectl and OIDC access). */
export function clusterStack(options: { kubectl?: boolean; oidc?: boolean } = {}) {
  const app = new App();
  const stack = new Stack(app, "Test", { env: { account: "111122223333", region: "eu-west-1" } });
  const cluster = eks.Cluster.fromClusterAttributes(stack, "Cluster", {
    clusterName: "prod",
    ...(options.kubectl === false ? {} : { kubectlRoleArn: "arn:aws:iam::111122223333:role/prod-kubectl" }),
    ...(options.oidc
      ? {
          openIdConnectProvider: iam.OpenIdConnectProvider.fromOpenIdConnectProviderArn(
            stack,
            "Oidc",
            "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE0123",
          ),
        }
      : {}),
  });
  const zone = route53.HostedZone.fromHostedZoneId(stack, "Zone", "Z0123456789ABC");
  const vpc = ec2.Vpc.fromVpcAttributes(stack, "Vpc", {
    vpcId: "vpc-0abc1234",
    availabilityZones: ["eu-west-1a", "eu-west-1b"],
  });
  return { app, stack, cluster, zone, vpc };
}

/** A Kubernetes object of a manifest, as the tests read it. */
export type K8sObject = {
  kind: string;
  metadata: { name: string; annotations?: Record<string, unknown> };
  spec?: unknown;
  subjects?: unknown;
};

/** The Kubernetes objects of the one KubernetesManifest of a template; tokens read as "<token>". */
export function appliedObjects(template: Template): K8sObject[] {
  const manifests = Object.values(template.findResources("Custom::AWSCDK-EKS-KubernetesResource"));
  if (manifests.length !== 1) throw new Error(`expected one KubernetesManifest, found ${manifests.length}`);
  const raw = (manifests[0] as { Properties: { Manifest: unknown } }).Properties.Manifest;
  const text =
    typeof raw === "string"
      ? raw
      : ((raw as { "Fn::Join": [string, unknown[]] })["Fn::Join"][1] ?? [])
          .map((p) => (typeof p === "string" ? p : "<token>"))
          .join("");
  return JSON.parse(text) as K8sObject[];
}
