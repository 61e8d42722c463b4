// The CDK app: Gannet for one existing EKS cluster, in the flavour the context values name.
//   cdk deploy -c flavour=lambda -c clusterName=prod -c hostedZoneIds=Z0123456789ABC ...
// See the README, "Deploying with CDK".

import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { readAppConfig } from "../lib/app-config.ts";
import { GannetStack } from "../lib/gannet-stack.ts";

const app = new App();
// cdk-nag's AwsSolutions checks run on every synth: a finding not acknowledged fails it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
const config = readAppConfig((key) => app.node.tryGetContext(key));
new GannetStack(app, config.stackName, {
  config,
  env: {
    ...(process.env.CDK_DEFAULT_ACCOUNT ? { account: process.env.CDK_DEFAULT_ACCOUNT } : {}),
    ...(process.env.CDK_DEFAULT_REGION ? { region: process.env.CDK_DEFAULT_REGION } : {}),
  },
});
app.synth();
