// Infrastructure: the app's one stack. It imports an existing EKS cluster, its hosted zones and
// (optionally) its VPC from context values, deploys one flavour of Gannet, and runs cdk-nag's
// AwsSolutions checks on the result.

import { KubectlV35Layer } from "@aws-cdk/lambda-layer-kubectl-v35";
import { CfnOutput, Duration, Stack, type StackProps } from "aws-cdk-lib";
import * as cloudwatchActions from "aws-cdk-lib/aws-cloudwatch-actions";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as eks from "aws-cdk-lib/aws-eks";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as route53 from "aws-cdk-lib/aws-route53";
import * as sns from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";
import type { GannetAppConfig } from "./app-config.ts";
import { GannetInClusterController } from "./gannet-in-cluster-controller.ts";
import { GannetLambdaController } from "./gannet-lambda-controller.ts";
import { acknowledgeKubectlProviders } from "./nag.ts";

/** Props of {@link GannetStack}. */
export interface GannetStackProps extends StackProps {
  readonly config: GannetAppConfig;
}

/** Gannet for one existing EKS cluster, in the flavour the config names. */
export class GannetStack extends Stack {
  readonly controller: GannetLambdaController | GannetInClusterController;

  constructor(scope: Construct, id: string, props: GannetStackProps) {
    super(scope, id, props);
    const c = props.config;
    const cluster = eks.Cluster.fromClusterAttributes(this, "Cluster", {
      clusterName: c.clusterName,
      ...(c.kubectlRoleArn
        ? { kubectlRoleArn: c.kubectlRoleArn, kubectlLayer: new KubectlV35Layer(this, "KubectlLayer") }
        : {}),
      ...(c.oidcProviderArn
        ? {
            openIdConnectProvider: iam.OpenIdConnectProvider.fromOpenIdConnectProviderArn(
              this,
              "OidcProvider",
              c.oidcProviderArn,
            ),
          }
        : {}),
    });
    const hostedZones = c.hostedZoneIds.map((id, i) =>
      route53.HostedZone.fromHostedZoneId(this, `HostedZone${i}`, id),
    );
    const vpc = c.vpcId
      ? ec2.Vpc.fromVpcAttributes(this, "Vpc", { vpcId: c.vpcId, availabilityZones: this.availabilityZones })
      : undefined;
    const base = {
      cluster,
      hostedZones,
      applyManifests: c.kubectlRoleArn !== undefined,
      ...(c.gannetClusterName ? { clusterName: c.gannetClusterName } : {}),
      ...(c.ownerId ? { ownerId: c.ownerId } : {}),
      ...(vpc ? { vpc } : {}),
    };
    if (c.flavour === "lambda") {
      const topic = c.alarmTopicArn ? sns.Topic.fromTopicArn(this, "AlarmTopic", c.alarmTopicArn) : undefined;
      const lambdaController = new GannetLambdaController(this, "Gannet", {
        ...base,
        schedule: Duration.minutes(c.scheduleMinutes),
        resyncSchedule: Duration.minutes(c.resyncMinutes),
        ...(c.lambdaBundleDir
          ? { code: lambda.Code.fromAsset(c.lambdaBundleDir, { exclude: ["meta.json"] }) }
          : {}),
        ...(topic ? { alarmActions: [new cloudwatchActions.SnsAction(topic)] } : {}),
      });
      this.controller = lambdaController;
      new CfnOutput(this, "FunctionName", { value: lambdaController.function.functionName });
    } else {
      this.controller = new GannetInClusterController(this, "Gannet", {
        ...base,
        image: c.image ?? "",
        credentials: c.credentials,
      });
    }
    new CfnOutput(this, "RoleArn", { value: this.controller.role.roleArn });
    acknowledgeKubectlProviders(this);
  }
}
