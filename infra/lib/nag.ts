// Infrastructure: the cdk-nag (AwsSolutions) findings Gannet's stacks accept, each with its reason.
// Everything else the checks report fails the synth. Findings are acknowledged one by one, as cdk-nag's
// own rules compute them at synthesis, on the resources named here only.

import { Aspects, CfnResource, type IAspect, Validations } from "aws-cdk-lib";
import * as eks from "aws-cdk-lib/aws-eks";
import { NagRuleCompliance, rules } from "cdk-nag";
import type { IConstruct } from "constructs";

/** Why Gannet's own policy carries wildcards in resource ARNs (AwsSolutions-IAM5). */
export const GANNET_POLICY_WILDCARDS =
  "Gannet creates and deletes load balancers, target groups, listeners, rules, security groups and certificates whose ids exist only at run time, so their ARNs are patterns; each mutating statement on them is conditioned on Gannet's ownership tag (aws:RequestTag / aws:ResourceTag gannet.io/cluster = the cluster name), record changes are limited to the given hosted zones, and '*' is used only for List/Describe actions without resource-level permissions and for acm:RequestCertificate (no resource type). infra/lib/gannet-policy.test.ts proves the policy grants exactly the actions the code calls.";

const KUBECTL_PROVIDER =
  "aws-cdk-lib's kubectl provider (eks.KubectlProvider, the custom resource behind cluster.addManifest), not Gannet's code: its roles, policies and runtime are set by aws-cdk-lib and it runs only during deployments.";

const RULES = {
  IAM4: rules.iam.IAMNoManagedPolicies,
  IAM5: rules.iam.IAMNoWildcardPermissions,
  L1: rules.lambda.LambdaLatestVersion,
} as const;

type RuleId = keyof typeof RULES;

/** Acknowledges, on every resource under `scope`, exactly the findings of `ruleIds`, with `reason`. */
export function acknowledgeFindings(scope: IConstruct, ruleIds: readonly RuleId[], reason: string): void {
  const aspect: IAspect = {
    visit(node) {
      if (!(node instanceof CfnResource)) return;
      for (const id of ruleIds) {
        const result = RULES[id](node);
        const ids = Array.isArray(result)
          ? result.map((finding) => `AwsSolutions-${id}[${finding}]`)
          : result === NagRuleCompliance.NON_COMPLIANT
            ? [`AwsSolutions-${id}`]
            : [];
        for (const rule of ids) Validations.of(node).acknowledge({ id: rule, reason });
      }
    },
  };
  Aspects.of(scope).add(aspect);
}

/** Acknowledges IAM5 on Gannet's policy (call it with the policy construct). */
export function acknowledgeGannetPolicy(policy: IConstruct): void {
  acknowledgeFindings(policy, ["IAM5"], GANNET_POLICY_WILDCARDS);
}

/** Acknowledges the findings of aws-cdk-lib's kubectl provider nested stacks under `scope`. */
export function acknowledgeKubectlProviders(scope: IConstruct): void {
  for (const c of scope.node.findAll()) {
    if (c instanceof eks.KubectlProvider) acknowledgeFindings(c, ["IAM4", "IAM5", "L1"], KUBECTL_PROVIDER);
  }
}
