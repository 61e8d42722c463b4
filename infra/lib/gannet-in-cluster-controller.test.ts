import { Match, Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { GannetPropsError } from "./common.ts";
import { GannetInClusterController } from "./gannet-in-cluster-controller.ts";
import { appliedObjects, clusterStack } from "./test-stacks.ts";

const IMAGE = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/gannet:0.1.0";

describe("GannetInClusterController with EKS Pod Identity", () => {
  // One synth for this shape, shared by the assertions below.
  const { stack, cluster, zone, vpc } = clusterStack();
  const controller = new GannetInClusterController(stack, "Gannet", {
    cluster,
    hostedZones: [zone],
    vpc,
    image: IMAGE,
  });
  const template = Template.fromStack(stack);

  it("trusts the Pod Identity service with session tags", () => {
    template.hasResourceProperties("AWS::IAM::Role", {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: ["sts:AssumeRole", "sts:TagSession"],
            Principal: { Service: "pods.eks.amazonaws.com" },
          }),
        ],
      },
    });
  });

  it("associates the role with the controller's ServiceAccount from deploy/", () => {
    template.hasResourceProperties("AWS::EKS::PodIdentityAssociation", {
      ClusterName: "prod",
      Namespace: "gannet-system",
      ServiceAccount: "gannet",
      RoleArn: Match.anyValue(),
    });
  });

  it("attaches Gannet's policy to the role", () => {
    template.hasResourceProperties("AWS::IAM::Policy", {
      Roles: [{ Ref: Match.stringLikeRegexp("GannetRole") }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: "ChangeOwnedLoadBalancerResources",
            Condition: { StringEquals: { "aws:ResourceTag/gannet.io/cluster": "prod" } },
          }),
        ]),
      },
    });
    expect(JSON.stringify(template.toJSON())).not.toContain('eks:DescribeCluster"],"Effect');
  });

  it("applies deploy/ with the image and the settings, in apply order", () => {
    // Act
    const objects = appliedObjects(template);
    // Assess
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "Namespace/gannet-system",
      "ServiceAccount/gannet",
      "ClusterRole/gannet",
      "ClusterRoleBinding/gannet",
      "Role/gannet-leader-election",
      "RoleBinding/gannet-leader-election",
      "Deployment/gannet",
      "Service/gannet-metrics",
      "PodDisruptionBudget/gannet",
      "IngressClass/gannet",
    ]);
    const deployment = objects.find((o) => o.kind === "Deployment") as unknown as {
      spec: { replicas: number; template: { spec: { containers: { image: string; env: unknown[] }[] } } };
    };
    expect(deployment.spec.replicas).toBe(2);
    const container = deployment.spec.template.spec.containers[0];
    expect(container?.image).toBe(IMAGE);
    expect(container?.env).toEqual(
      expect.arrayContaining([
        { name: "GANNET_CLUSTER_NAME", value: "prod" },
        { name: "AWS_REGION", value: "eu-west-1" },
        { name: "GANNET_TXT_OWNER_ID", value: "prod" },
        { name: "GANNET_ZONE_ID_FILTER", value: "Z0123456789ABC" },
        { name: "GANNET_VPC_ID", value: "vpc-0abc1234" },
        { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
      ]),
    );
    expect(objects.find((o) => o.kind === "ServiceAccount")?.metadata.annotations).toBeUndefined();
    expect(controller.manifest).toBeDefined();
  });
});

describe("GannetInClusterController with IRSA", () => {
  const { stack, cluster, zone } = clusterStack({ oidc: true });
  new GannetInClusterController(stack, "Gannet", {
    cluster,
    hostedZones: [zone],
    image: IMAGE,
    credentials: "irsa",
    replicas: 3,
    ingressClass: false,
  });
  const template = Template.fromStack(stack);

  it("trusts the cluster's OIDC provider for the ServiceAccount only", () => {
    template.hasResourceProperties("AWS::IAM::Role", {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: "sts:AssumeRoleWithWebIdentity",
            Principal: { Federated: Match.stringLikeRegexp("oidc-provider") },
          }),
        ],
      },
    });
    const json = JSON.stringify(template.findResources("Custom::AWSCDKCfnJson"));
    expect(json).toContain("system:serviceaccount:gannet-system:gannet");
    expect(json).toContain("sts.amazonaws.com");
    template.resourceCountIs("AWS::EKS::PodIdentityAssociation", 0);
  });

  it("annotates the ServiceAccount with the role and leaves the IngressClass out", () => {
    const objects = appliedObjects(template);
    expect(objects.find((o) => o.kind === "ServiceAccount")?.metadata.annotations).toEqual({
      "eks.amazonaws.com/role-arn": "<token>",
    });
    expect(objects.some((o) => o.kind === "IngressClass")).toBe(false);
    expect(objects.find((o) => o.kind === "Deployment")?.spec).toMatchObject({ replicas: 3 });
  });
});

describe("GannetInClusterController validation", () => {
  it.each([
    [{ hostedZones: [] }, /hostedZones is empty; give the hosted zones/],
    [{ image: "my image" }, /image must be an image reference .*got "my image"/],
    [{ replicas: 0 }, /replicas must be a whole number from 1 to 10 .*got 0/],
    [{ clusterName: "bad name!" }, /clusterName must be .*got "bad name!"/],
    [{ ownerId: "" }, /ownerId must be .*got ""/],
    [
      { credentials: "irsa" as const },
      /credentials "irsa" needs the OpenID Connect provider of cluster "prod"/,
    ],
  ])("refuses %j early, naming the value and the fix", (override, message) => {
    const build = () => {
      const { stack, cluster, zone } = clusterStack();
      new GannetInClusterController(stack, "Gannet", {
        cluster,
        hostedZones: [zone],
        image: IMAGE,
        ...override,
      });
    };
    expect(build).toThrow(GannetPropsError);
    expect(build).toThrow(message);
  });

  it("asks for kubectl access or applyManifests: false", () => {
    const { stack, cluster, zone } = clusterStack({ kubectl: false });
    expect(
      () => new GannetInClusterController(stack, "Gannet", { cluster, hostedZones: [zone], image: IMAGE }),
    ).toThrow(
      /import it with eks.Cluster.fromClusterAttributes\(\{ kubectlRoleArn.*or set applyManifests: false/,
    );
    new GannetInClusterController(stack, "Gannet2", {
      cluster,
      hostedZones: [zone],
      image: IMAGE,
      applyManifests: false,
    });
    Template.fromStack(stack).resourceCountIs("Custom::AWSCDK-EKS-KubernetesResource", 0);
  });
});
