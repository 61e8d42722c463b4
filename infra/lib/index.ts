// Infrastructure: aws-cdk-lib constructs that deploy Gannet (import them from your own CDK app).

export { type GannetAppConfig, readAppConfig } from "./app-config.ts";
export { type GannetControllerBaseProps, GannetPropsError } from "./common.ts";
export {
  GannetInClusterController,
  type GannetInClusterControllerProps,
  type PodCredentials,
} from "./gannet-in-cluster-controller.ts";
export {
  GannetLambdaController,
  type GannetLambdaControllerProps,
  type IdentityMapping,
  LAMBDA_BUNDLE_DIR,
} from "./gannet-lambda-controller.ts";
export { buildGannetPolicyStatements, type GannetPolicyOptions, RECORD_TYPES } from "./gannet-policy.ts";
export { GannetStack, type GannetStackProps } from "./gannet-stack.ts";
export { type GannetRuntime, requiredActions } from "./iam-actions.ts";
export { acknowledgeFindings, acknowledgeGannetPolicy, acknowledgeKubectlProviders } from "./nag.ts";
