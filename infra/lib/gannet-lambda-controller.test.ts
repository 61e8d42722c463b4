import { Duration } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import * as cloudwatchActions from "aws-cdk-lib/aws-cloudwatch-actions";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as sns from "aws-cdk-lib/aws-sns";
import { describe, expect, inject, it } from "vitest";
import { GannetPropsError } from "./common.ts";
import { GannetLambdaController, type GannetLambdaControllerProps } from "./gannet-lambda-controller.ts";
import { appliedObjects, clusterStack } from "./test-stacks.ts";

const code = () => lambda.Code.fromAsset(inject("lambdaBundleDir"), { exclude: ["meta.json"] });

describe("GannetLambdaController", () => {
  // One synth for this shape, shared by the assertions below.
  const { stack, cluster, zone, vpc } = clusterStack();
  const invoker = new iam.Role(stack, "Ci", { assumedBy: new iam.AccountRootPrincipal() });
  const topic = new sns.Topic(stack, "Alarms");
  const controller = new GannetLambdaController(stack, "Gannet", {
    cluster,
    hostedZones: [zone],
    vpc,
    code: code(),
    onDemandInvokers: [invoker],
    alarmActions: [new cloudwatchActions.SnsAction(topic)],
  });
  const template = Template.fromStack(stack);

  it("runs the bundle on nodejs24.x, arm64, with the settings the handler reads", () => {
    template.hasResourceProperties("AWS::Lambda::Function", {
      Runtime: "nodejs24.x",
      Architectures: ["arm64"],
      Handler: "index.handler",
      MemorySize: 512,
      Timeout: 90,
      Environment: {
        Variables: {
          GANNET_CLUSTER_NAME: "prod",
          GANNET_EKS_CLUSTER: "prod",
          GANNET_TXT_OWNER_ID: "prod",
          GANNET_ZONE_ID_FILTER: "Z0123456789ABC",
          GANNET_VPC_ID: "vpc-0abc1234",
          GANNET_LEASE_NAMESPACE: "gannet-system",
          GANNET_LEASE_NAME: "gannet-leader",
          GANNET_WATCH_SECONDS: "20",
          GANNET_LAMBDA_MARGIN_SECONDS: "20",
        },
      },
    });
    // Retries are left to the next schedule.
    template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", { MaximumRetryAttempts: 0 });
  });

  it("is invoked every minute, and with {resync: true} every 30 minutes", () => {
    template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "rate(1 minute)",
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 0 }, Input: Match.absent() })],
    });
    template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "rate(30 minutes)",
      Targets: [Match.objectLike({ Input: '{"resync":true}' })],
    });
  });

  it("lets the given principals invoke it on demand", () => {
    template.hasResourceProperties("AWS::IAM::Policy", {
      Roles: [{ Ref: Match.stringLikeRegexp("^Ci") }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Action: "lambda:InvokeFunction" })]),
      },
    });
  });

  it("maps its role to the Kubernetes group the RBAC from deploy/ is bound to", () => {
    template.hasResourceProperties("AWS::EKS::AccessEntry", {
      ClusterName: "prod",
      PrincipalArn: { "Fn::GetAtt": [Match.stringLikeRegexp("^GannetRole"), "Arn"] },
      KubernetesGroups: ["gannet:controller"],
      Username: "gannet-lambda",
      Type: "STANDARD",
    });
    const objects = appliedObjects(template);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "Namespace/gannet-system",
      "ClusterRole/gannet",
      "Role/gannet-leader-election",
      "ClusterRoleBinding/gannet-lambda",
      "RoleBinding/gannet-leader-election-lambda",
      "IngressClass/gannet",
    ]);
    for (const binding of objects.filter((o) => o.kind.endsWith("Binding"))) {
      expect(binding.subjects).toEqual([
        { kind: "Group", name: "gannet:controller", apiGroup: "rbac.authorization.k8s.io" },
      ]);
    }
  });

  it("writes to its own log group only, kept a month", () => {
    template.hasResourceProperties("AWS::Logs::LogGroup", { RetentionInDays: 30 });
    template.hasResourceProperties("AWS::Lambda::Function", {
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp("^GannetLogGroup") } },
    });
    template.hasResourceProperties("AWS::IAM::Role", {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: "lambda.amazonaws.com" } })],
      },
      ManagedPolicyArns: Match.absent(),
    });
  });

  it("describes its own cluster and carries Gannet's policy", () => {
    template.hasResourceProperties("AWS::IAM::Policy", {
      Roles: [{ Ref: Match.stringLikeRegexp("^GannetRole") }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: "ChangeRecordsInZones" }),
          Match.objectLike({ Sid: "DescribeEksCluster", Action: "eks:DescribeCluster" }),
        ]),
      },
    });
  });

  it("alarms on errors, throttles and failed results, notifying the given actions", () => {
    template.resourceCountIs("AWS::CloudWatch::Alarm", 3);
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "Errors",
      Namespace: "AWS/Lambda",
      AlarmActions: [{ Ref: Match.stringLikeRegexp("^Alarms") }],
    });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", { MetricName: "Throttles" });
    template.hasResourceProperties("AWS::Logs::MetricFilter", {
      FilterPattern: '{ $.summary.result = "failed" }',
      MetricTransformations: [
        Match.objectLike({ MetricNamespace: "Gannet/prod", MetricName: "FailedInvocations" }),
      ],
    });
    expect(controller.alarms).toHaveLength(3);
  });
});

describe("GannetLambdaController options", () => {
  it("runs on x86_64 with other schedules and no manifests when asked", () => {
    // Prepare
    const { stack, cluster, zone } = clusterStack({ kubectl: false });
    // Act
    new GannetLambdaController(stack, "Gannet", {
      cluster,
      hostedZones: [zone],
      code: code(),
      architecture: lambda.Architecture.X86_64,
      schedule: Duration.minutes(5),
      resyncSchedule: Duration.hours(1),
      watchSeconds: 0,
      timeout: Duration.seconds(60),
      applyManifests: false,
    });
    // Assess
    const template = Template.fromStack(stack);
    template.hasResourceProperties("AWS::Lambda::Function", { Architectures: ["x86_64"], Timeout: 60 });
    template.hasResourceProperties("AWS::Events::Rule", { ScheduleExpression: "rate(5 minutes)" });
    template.hasResourceProperties("AWS::Events::Rule", { ScheduleExpression: "rate(1 hour)" });
    template.resourceCountIs("Custom::AWSCDK-EKS-KubernetesResource", 0);
  });

  it.each<[Partial<GannetLambdaControllerProps>, RegExp]>([
    [{ timeout: Duration.seconds(30) }, /timeout must be from 50 s \(watchSeconds 20 .*got 30 s/],
    [{ watchSeconds: 900 }, /watchSeconds must be a whole number from 0 to 840; got 900/],
    [{ schedule: Duration.seconds(30) }, /schedule must be a whole number of minutes, at least 1 .*got 30 s/],
    [
      { resyncSchedule: Duration.minutes(1), schedule: Duration.minutes(5) },
      /resyncSchedule \(1 min\) must not be shorter/,
    ],
    [
      { kubernetesGroup: "system:masters" },
      /kubernetesGroup must be a group name not starting with "system:"/,
    ],
    [{ memorySize: 128 }, /memorySize must be a whole number of MiB from 256 to 10240; got 128/],
    [{ identityMapping: "aws-auth" }, /identityMapping "aws-auth" needs an eks.Cluster defined in this app/],
  ])("refuses %j early, naming the value and the fix", (override, message) => {
    const build = () => {
      const { stack, cluster, zone } = clusterStack();
      new GannetLambdaController(stack, "Gannet", {
        cluster,
        hostedZones: [zone],
        code: code(),
        ...override,
      });
    };
    expect(build).toThrow(GannetPropsError);
    expect(build).toThrow(message);
  });
});
