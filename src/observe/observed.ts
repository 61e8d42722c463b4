// Observe stage: the AWS state of one Ingress group as plain data, found by ownership tags.
// Adapters fill these shapes; the planner compares them with the desired model.

import type { HealthCheck, RuleAction, RuleCondition, RuleTransform, Target } from "../model/desired.ts";

/** An action as AWS holds it: forward names target group ARNs, not model keys. */
export type ObservedAction =
  | {
      readonly type: "forward";
      readonly targetGroups: readonly { readonly targetGroupArn: string; readonly weight: number }[];
      readonly stickiness?: { readonly enabled: boolean; readonly durationSeconds: number };
    }
  | Exclude<RuleAction, { type: "forward" }>;

/** A listener rule (never the default rule). `owned` is false for rules without Gannet's tags. */
export interface ObservedRule {
  readonly arn: string;
  readonly priority: number;
  readonly conditions: readonly RuleCondition[];
  readonly actions: readonly ObservedAction[];
  /** Absent or empty when the rule has none. */
  readonly transforms?: readonly RuleTransform[];
  readonly owned: boolean;
}

/** A listener of the group's ALB with its non-default rules. */
export interface ObservedListener {
  readonly arn: string;
  readonly port: number;
  readonly protocol: string;
  readonly defaultActions: readonly ObservedAction[];
  readonly rules: readonly ObservedRule[];
  readonly sslPolicy?: string;
  readonly certificateArns: readonly string[];
  readonly owned: boolean;
}

/** The group's ALB. */
export interface ObservedLoadBalancer {
  readonly arn: string;
  readonly name: string;
  readonly dnsName: string;
  readonly canonicalHostedZoneId: string;
  readonly scheme: string;
  readonly ipAddressType: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  readonly listeners: readonly ObservedListener[];
}

/** A target group owned by the group, with its registered targets. */
export interface ObservedTargetGroup {
  readonly arn: string;
  readonly name: string;
  /** The model key from the `gannet.io/key` tag. */
  readonly key: string;
  readonly protocol: string;
  readonly protocolVersion: string;
  readonly port: number;
  readonly targetType: string;
  readonly healthCheck: HealthCheck;
  readonly targets: readonly Target[];
  readonly tags: Readonly<Record<string, string>>;
}

/** The group's managed security group. */
export interface ObservedSecurityGroup {
  readonly id: string;
  readonly name: string;
  readonly ingress: readonly { readonly port: number; readonly cidr: string }[];
  readonly tags: Readonly<Record<string, string>>;
}

/** Everything AWS holds for one group. Several ALBs can appear after a crash between create and tag read. */
export interface ObservedGroup {
  readonly loadBalancers: readonly ObservedLoadBalancer[];
  readonly targetGroups: readonly ObservedTargetGroup[];
  readonly securityGroups: readonly ObservedSecurityGroup[];
}

/** A group with nothing in AWS yet. */
export const EMPTY_OBSERVED_GROUP: ObservedGroup = {
  loadBalancers: [],
  targetGroups: [],
  securityGroups: [],
};
