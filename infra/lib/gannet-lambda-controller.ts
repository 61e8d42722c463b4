// Infrastructure: Gannet with no pod in the cluster. A Lambda function (the esbuild bundle of
// src/runtime/lambda.ts) runs on EventBridge schedules, reaches the EKS API with its own role through
// an access entry (or aws-auth), and acts with the controller's RBAC from deploy/.

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as eks from "aws-cdk-lib/aws-eks";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { type GannetControllerBaseProps, GannetPropsError, resolveBase } from "./common.ts";
import { buildGannetPolicyStatements } from "./gannet-policy.ts";
import { lambdaManifests, leaderLease } from "./manifests.ts";
import { acknowledgeGannetPolicy } from "./nag.ts";

/** Where `npm run bundle:lambda` writes the function's code (index.mjs, handler `index.handler`). */
export const LAMBDA_BUNDLE_DIR = fileURLToPath(new URL("../../dist/lambda/", import.meta.url));

/** How the function's role becomes a Kubernetes identity. */
export type IdentityMapping = "access-entry" | "aws-auth";

// Time the handler keeps free before its timeout (GANNET_LAMBDA_MARGIN_SECONDS) plus a first pass.
const MARGIN_SECONDS = 20;
const FIRST_PASS_SECONDS = 10;

/** Props of {@link GannetLambdaController}. */
export interface GannetLambdaControllerProps extends GannetControllerBaseProps {
  /**
   * The function's code.
   * @default the prebuilt bundle in dist/lambda (`npm run bundle:lambda`); never built with Docker
   */
  readonly code?: lambda.Code;
  /**
   * The bundle is plain JavaScript: arm64 (Graviton) is 20% cheaper per GB-second.
   * @default lambda.Architecture.ARM_64
   */
  readonly architecture?: lambda.Architecture;
  /**
   * Memory in MiB (CPU grows with it).
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * The longest an invocation runs: the watch window, the margin (20 s) and at least one pass.
   * @default Duration.seconds(90)
   */
  readonly timeout?: Duration;
  /**
   * How often the schedule invokes the function (the cheap pass: groups whose ALB fingerprint matches
   * are not read). Whole minutes.
   * @default Duration.minutes(1)
   */
  readonly schedule?: Duration;
  /**
   * How often a second schedule invokes it with `{"resync": true}` (every group's AWS state read in
   * full and repaired). Whole minutes, not shorter than `schedule`.
   * @default Duration.minutes(30)
   */
  readonly resyncSchedule?: Duration;
  /**
   * Seconds each invocation watches the cluster for changes after its first pass (GANNET_WATCH_SECONDS).
   * @default 20
   */
  readonly watchSeconds?: number;
  /**
   * Retention of the function's log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Principals allowed to invoke the function on demand (`{"groups": ["shop"]}`), e.g. a CI role.
   * @default none
   */
  readonly onDemandInvokers?: readonly iam.IGrantable[];
  /**
   * The Kubernetes group the function's role is mapped to; the controller's RBAC from deploy/ is bound
   * to it. Not `system:`-prefixed (EKS refuses those in access entries).
   * @default "gannet:controller"
   */
  readonly kubernetesGroup?: string;
  /**
   * The Kubernetes user name of the function's role.
   * @default "gannet-lambda"
   */
  readonly kubernetesUsername?: string;
  /**
   * An EKS access entry (clusters with authentication mode API or API_AND_CONFIG_MAP), or a mapRoles
   * entry of the aws-auth ConfigMap (CONFIG_MAP clusters; only for an `eks.Cluster` of this app).
   * @default "access-entry"
   */
  readonly identityMapping?: IdentityMapping;
  /**
   * Where the Errors, Throttles and failed-result alarms send notifications.
   * @default none (the alarms are still created)
   */
  readonly alarmActions?: readonly cloudwatch.IAlarmAction[];
}

/** Gannet as a scheduled Lambda function: code, role, schedules, Kubernetes access, logs and alarms. */
export class GannetLambdaController extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** Alarms on the function's Errors, Throttles, and invocations whose summary says `failed`. */
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: GannetLambdaControllerProps) {
    super(scope, id);
    const base = resolveBase("GannetLambdaController", props);
    const watchSeconds = props.watchSeconds ?? 20;
    const timeout = props.timeout ?? Duration.seconds(90);
    const schedule = props.schedule ?? Duration.minutes(1);
    const resync = props.resyncSchedule ?? Duration.minutes(30);
    const group = props.kubernetesGroup ?? "gannet:controller";
    const username = props.kubernetesUsername ?? "gannet-lambda";
    validate({ watchSeconds, timeout, schedule, resync, group, memorySize: props.memorySize ?? 512 });
    const lease = leaderLease();

    this.role = new iam.Role(this, "Role", {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: `Gannet Ingress controller (Lambda) of EKS cluster ${props.cluster.clusterName}`,
    });
    const policy = new iam.Policy(this, "Policy", {
      roles: [this.role],
      statements: buildGannetPolicyStatements(this, {
        runtime: "lambda",
        clusterName: base.clusterName,
        hostedZones: props.hostedZones,
        eksClusterArn: props.cluster.clusterArn,
        ...(props.vpc ? { vpc: props.vpc } : {}),
      }),
    });
    acknowledgeGannetPolicy(policy);
    this.logGroup = new logs.LogGroup(this, "LogGroup", {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    });
    // An explicit grant on this log group instead of AWSLambdaBasicExecutionRole (logs:* on every group).
    this.logGroup.grantWrite(this.role);

    this.function = new lambda.Function(this, "Function", {
      description: `Gannet Ingress controller of EKS cluster ${props.cluster.clusterName}`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: props.architecture ?? lambda.Architecture.ARM_64,
      handler: "index.handler",
      code: props.code ?? defaultCode(),
      role: this.role,
      logGroup: this.logGroup,
      memorySize: props.memorySize ?? 512,
      timeout,
      // A failed invocation is not retried: the next scheduled one does the same work.
      retryAttempts: 0,
      environment: {
        ...base.env,
        GANNET_EKS_CLUSTER: props.cluster.clusterName,
        GANNET_LEASE_NAMESPACE: lease.namespace,
        GANNET_LEASE_NAME: lease.name,
        GANNET_WATCH_SECONDS: String(watchSeconds),
        GANNET_LAMBDA_MARGIN_SECONDS: String(MARGIN_SECONDS),
        NODE_OPTIONS: "--enable-source-maps",
      },
    });

    const target = (event?: events.RuleTargetInput) =>
      new targets.LambdaFunction(this.function, { retryAttempts: 0, ...(event ? { event } : {}) });
    new events.Rule(this, "Schedule", {
      description: "Gannet: reconcile every group (fingerprint fast path)",
      schedule: events.Schedule.rate(schedule),
      targets: [target()],
    });
    new events.Rule(this, "ResyncSchedule", {
      description: "Gannet: resync, every group's AWS state read in full",
      schedule: events.Schedule.rate(resync),
      targets: [target(events.RuleTargetInput.fromObject({ resync: true }))],
    });
    for (const invoker of props.onDemandInvokers ?? []) this.function.grantInvoke(invoker);

    this.mapIdentity(props, { group, username });
    if (base.applyManifests) {
      props.cluster.addManifest(
        `${id}Manifests`,
        ...lambdaManifests({ group, ingressClass: base.ingressClass }),
      );
    }
    this.alarms = this.createAlarms(base.clusterName, props.alarmActions ?? []);
  }

  private mapIdentity(props: GannetLambdaControllerProps, id: { group: string; username: string }): void {
    if ((props.identityMapping ?? "access-entry") === "access-entry") {
      new eks.CfnAccessEntry(this, "AccessEntry", {
        clusterName: props.cluster.clusterName,
        principalArn: this.role.roleArn,
        kubernetesGroups: [id.group],
        username: id.username,
        type: "STANDARD",
      });
      return;
    }
    if (!(props.cluster instanceof eks.Cluster)) {
      throw new GannetPropsError(
        `GannetLambdaController: identityMapping "aws-auth" needs an eks.Cluster defined in this app (CDK cannot edit the aws-auth ConfigMap of an imported cluster); use identityMapping "access-entry" (switch the cluster's authentication mode to API_AND_CONFIG_MAP), or add to aws-auth mapRoles yourself: rolearn <the function's role ARN>, username ${id.username}, groups [${id.group}]`,
      );
    }
    props.cluster.awsAuth.addRoleMapping(this.role, { groups: [id.group], username: id.username });
  }

  private createAlarms(clusterName: string, actions: readonly cloudwatch.IAlarmAction[]): cloudwatch.Alarm[] {
    const period = Duration.minutes(5);
    // The handler returns a summary instead of throwing: a failed reconcile shows in its log line.
    const failed = new logs.MetricFilter(this, "FailedResults", {
      logGroup: this.logGroup,
      filterPattern: logs.FilterPattern.stringValue("$.summary.result", "=", "failed"),
      // One namespace per cluster: two Gannets in one account never share the metric.
      metricNamespace: `Gannet/${clusterName}`,
      metricName: "FailedInvocations",
      metricValue: "1",
    });
    const alarms = [
      new cloudwatch.Alarm(this, "ErrorsAlarm", {
        alarmDescription: "Gannet's function failed or timed out (see its log group)",
        metric: this.function.metricErrors({ period, statistic: "Sum" }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, "ThrottlesAlarm", {
        alarmDescription: "Gannet's function was throttled (account concurrency exhausted?)",
        metric: this.function.metricThrottles({ period, statistic: "Sum" }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, "FailedResultsAlarm", {
        alarmDescription:
          'Gannet invocations returned "failed" three periods in a row (see "errors" in its log)',
        metric: failed.metric({ period, statistic: "Sum" }),
        threshold: 1,
        evaluationPeriods: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];
    for (const alarm of alarms) alarm.addAlarmAction(...actions);
    return alarms;
  }
}

function defaultCode(): lambda.Code {
  if (!existsSync(`${LAMBDA_BUNDLE_DIR}index.mjs`)) {
    throw new GannetPropsError(
      `GannetLambdaController: no Lambda bundle at ${LAMBDA_BUNDLE_DIR}index.mjs; run \`npm run bundle:lambda\` first, or pass code`,
    );
  }
  return lambda.Code.fromAsset(LAMBDA_BUNDLE_DIR, { exclude: ["meta.json"] });
}

function validate(v: {
  watchSeconds: number;
  timeout: Duration;
  schedule: Duration;
  resync: Duration;
  group: string;
  memorySize: number;
}): void {
  const fail = (message: string) => {
    throw new GannetPropsError(`GannetLambdaController: ${message}`);
  };
  if (!Number.isInteger(v.watchSeconds) || v.watchSeconds < 0 || v.watchSeconds > 840) {
    fail(`watchSeconds must be a whole number from 0 to 840; got ${v.watchSeconds}`);
  }
  const timeout = v.timeout.toSeconds();
  const least = v.watchSeconds + MARGIN_SECONDS + FIRST_PASS_SECONDS;
  if (timeout < least || timeout > 900) {
    fail(
      `timeout must be from ${least} s (watchSeconds ${v.watchSeconds} + a ${MARGIN_SECONDS} s margin + ${FIRST_PASS_SECONDS} s for a pass) to 900 s; got ${timeout} s: raise the timeout or lower watchSeconds`,
    );
  }
  const minutes = (d: Duration) => d.toSeconds() / 60;
  for (const [name, d] of [
    ["schedule", v.schedule],
    ["resyncSchedule", v.resync],
  ] as const) {
    if (!Number.isInteger(minutes(d)) || minutes(d) < 1) {
      fail(
        `${name} must be a whole number of minutes, at least 1 (EventBridge rates); got ${d.toSeconds()} s`,
      );
    }
  }
  if (minutes(v.resync) < minutes(v.schedule)) {
    fail(
      `resyncSchedule (${minutes(v.resync)} min) must not be shorter than schedule (${minutes(v.schedule)} min)`,
    );
  }
  if (v.group.startsWith("system:") || !/^[a-zA-Z0-9:._-]{1,63}$/.test(v.group)) {
    fail(`kubernetesGroup must be a group name not starting with "system:"; got ${JSON.stringify(v.group)}`);
  }
  if (!Number.isInteger(v.memorySize) || v.memorySize < 256 || v.memorySize > 10240) {
    fail(`memorySize must be a whole number of MiB from 256 to 10240; got ${v.memorySize}`);
  }
}
