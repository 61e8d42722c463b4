// Model stage: the desired AWS state of one Ingress group, as plain JSON-able data.
// Values that exist only after apply (ARNs, DNS names) are references by key, resolved by apply.

import type {
  FixedResponseAction,
  HealthCheck,
  RedirectAction,
  RuleCondition,
  RuleTransform,
  Target,
} from "../types/alb.ts";

// The ALB vocabulary shared with observe and the adapters lives in src/types; model code names it here.
export type { FixedResponseAction, HealthCheck, RedirectAction, RuleCondition, RuleTransform, Target };

/** A key naming one Ingress group: `group.name` for explicit groups, `<namespace>/<name>` otherwise. */
export type GroupKey = string;

/** Where a desired object came from, so reports can name the Ingress and field. */
export interface SourceRef {
  readonly ingress: string; // namespace/name
  readonly field: string; // e.g. spec.rules[0].http.paths[1]
}

/** A problem in the user's input, reported as a Warning Event on the Ingress it names. */
export interface Problem {
  readonly ingress: string; // namespace/name
  readonly field: string; // e.g. metadata.annotations['alb.ingress.kubernetes.io/scheme']
  readonly value: string; // the value received, as the user wrote it (truncated)
  readonly message: string; // what is wrong and how to fix it
  /** `member`: the Ingress is left out of the group; `rule`: only the named rule/backend is affected. */
  readonly scope: "member" | "rule";
}

/**
 * A target group of a forward action: one of the group's by model key (resolved to an ARN at apply),
 * or one Gannet does not own by ARN (forwarded to, never modified). Weight only matters with several.
 */
export type TargetGroupTuple =
  | { readonly targetGroup: string; readonly weight: number } // DesiredTargetGroup.key
  | { readonly targetGroupArn: string; readonly weight: number };

/** ALB action. Forward names target groups by key (resolved to ARNs at apply) or by external ARN. */
export type RuleAction =
  | {
      readonly type: "forward";
      readonly targetGroups: readonly TargetGroupTuple[];
      readonly stickiness?: { readonly enabled: boolean; readonly durationSeconds: number };
    }
  | FixedResponseAction
  | RedirectAction;

/** One listener rule. `order` ranks it within its listener (lower first); apply turns it into a priority. */
export interface DesiredRule {
  readonly order: number;
  readonly conditions: readonly RuleCondition[];
  readonly actions: readonly RuleAction[];
  /** Absent when the rule has none. */
  readonly transforms?: readonly RuleTransform[];
  readonly source: SourceRef;
  /**
   * Keep the listener's existing rule with these conditions as it is, its last good state: set when the
   * route's member or backend is invalid, so bad input never tears down a working rule. `actions` then
   * only serve when no such rule exists yet; when empty, none is created.
   */
  readonly keepExisting?: true;
}

/** One listener, keyed by port. */
export interface DesiredListener {
  readonly port: number;
  readonly protocol: "HTTP" | "HTTPS";
  readonly defaultActions: readonly RuleAction[];
  readonly rules: readonly DesiredRule[];
  readonly sslPolicy?: string;
  readonly certificateArns?: readonly string[];
  /** Listener attributes to set (`listener-attributes.<Protocol>-<Port>`); keys not listed are left alone. */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** One target group per (Service, port) used by the group; target type `ip`. */
export interface DesiredTargetGroup {
  readonly key: string; // `<namespace>/<service>:<port>` as written in the Ingress backend
  readonly name: string; // AWS name, ≤ 32 chars, stable; changes when an immutable setting changes
  readonly protocol: "HTTP" | "HTTPS";
  readonly protocolVersion: "HTTP1" | "HTTP2" | "GRPC";
  readonly port: number;
  readonly targetType: "ip";
  readonly healthCheck: HealthCheck;
  readonly targets: readonly Target[];
  readonly tags: Readonly<Record<string, string>>;
  /** Target group attributes to set (`target-group-attributes`); keys not listed are left alone. */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** The managed security group of the ALB: which ports are open to which CIDRs. */
export interface DesiredSecurityGroup {
  readonly name: string;
  readonly description: string;
  readonly ingress: readonly { readonly port: number; readonly cidr: string }[];
  readonly tags: Readonly<Record<string, string>>;
}

/** The group's Application Load Balancer. */
export interface DesiredLoadBalancer {
  readonly name: string; // ≤ 32 chars, stable
  readonly scheme: "internal" | "internet-facing";
  readonly ipAddressType: "ipv4" | "dualstack";
  readonly subnetIds: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  /** The user's security groups (`security-groups`, resolved to IDs) in place of the managed one. */
  readonly securityGroupIds?: readonly string[];
  /** Set when `security-groups` could not be resolved: the ALB keeps the security groups it has. */
  readonly keepSecurityGroups?: true;
  /** Load balancer attributes to set (`load-balancer-attributes`); keys not listed are left alone. */
  readonly attributes?: Readonly<Record<string, string>>;
  /** The WAFv2 web ACL to associate, or none to disassociate; absent: the association is left as it is. */
  readonly webAcl?: { readonly arn: string } | { readonly none: true };
}

/**
 * The group's backend security group (`manage-backend-security-group-rules`): Gannet's own, attached to
 * the ALB, and the source of the ingress rules Gannet adds to the security groups of the target pods.
 */
export interface DesiredBackendSecurityGroup {
  readonly name: string;
  readonly description: string;
  readonly tags: Readonly<Record<string, string>>;
  /** The annotation that asked for it (the first member in group order that sets it), for Problems. */
  readonly source: SourceRef;
}

/** Everything one Ingress group should be in AWS, plus the problems found building it. */
export interface DesiredGroup {
  readonly group: GroupKey;
  /** Members in group order (`group.order`, then namespace/name); deleted members are absent. */
  readonly members: readonly string[];
  /** Absent when the group has no member left: apply then deletes everything the group owns. */
  readonly loadBalancer?: DesiredLoadBalancer;
  /** Absent when the ALB uses the user's security groups (`security-groups`). */
  readonly securityGroup?: DesiredSecurityGroup;
  readonly backendSecurityGroup?: DesiredBackendSecurityGroup;
  readonly listeners: readonly DesiredListener[];
  readonly targetGroups: readonly DesiredTargetGroup[];
  readonly problems: readonly Problem[];
  /** Set when the group cannot converge safely (e.g. no usable subnets): apply changes nothing. */
  readonly halt?: { readonly reason: string };
}
