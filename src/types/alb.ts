// Shared types: the vocabulary of an Application Load Balancer (conditions, actions, transforms, health
// checks, targets) and the shapes of what AWS holds, as observe reads it and the planner compares it.
// Below every stage and adapter: this folder imports nothing of Gannet's.

/**
 * ALB condition, in the `*Config` form of the ELBv2 API. host-header, path-pattern and http-header
 * match either by `values` (ALB globs) or by `regexValues` (regular expressions), never both: when
 * `regexValues` is set, `values` is empty.
 */
export type RuleCondition =
  | {
      readonly field: "host-header";
      readonly values: readonly string[];
      readonly regexValues?: readonly string[];
    }
  | {
      readonly field: "path-pattern";
      readonly values: readonly string[];
      readonly regexValues?: readonly string[];
    }
  | {
      readonly field: "http-header";
      readonly headerName: string;
      readonly values: readonly string[];
      readonly regexValues?: readonly string[];
    }
  | { readonly field: "http-request-method"; readonly values: readonly string[] }
  | { readonly field: "source-ip"; readonly values: readonly string[] }
  | { readonly field: "query-string"; readonly values: readonly { key?: string; value: string }[] };

/** A rule transform: rewrites the Host header or the URL before the request reaches its targets. */
export interface RuleTransform {
  readonly type: "host-header-rewrite" | "url-rewrite";
  readonly rewrites: readonly { readonly regex: string; readonly replace: string }[];
}

/** ALB health check settings, with AWS LBC's defaults filled in by the builder. */
export interface HealthCheck {
  readonly protocol: "HTTP" | "HTTPS";
  readonly port: string; // "traffic-port" or a number
  readonly path: string;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly healthyThresholdCount: number;
  readonly unhealthyThresholdCount: number;
  readonly matcher: string; // HTTP codes, e.g. "200"
}

/** One registered target: a pod IP and port. */
export interface Target {
  readonly id: string;
  readonly port: number;
}

/** A fixed-response action. */
export type FixedResponseAction = {
  readonly type: "fixed-response";
  readonly statusCode: string;
  readonly contentType?: string;
  readonly messageBody?: string;
};

/** A redirect action. */
export type RedirectAction = {
  readonly type: "redirect";
  readonly statusCode: "HTTP_301" | "HTTP_302";
  readonly protocol?: string;
  readonly port?: string;
  readonly host?: string;
  readonly path?: string;
  readonly query?: string;
};

/** An ingress permission of a security group: a port open to a CIDR. */
export interface PortCidr {
  readonly port: number;
  readonly cidr: string;
}

/** An action as AWS holds it: forward names target group ARNs, not model keys. */
export type ObservedAction =
  | {
      readonly type: "forward";
      readonly targetGroups: readonly { readonly targetGroupArn: string; readonly weight: number }[];
      readonly stickiness?: { readonly enabled: boolean; readonly durationSeconds: number };
    }
  | FixedResponseAction
  | RedirectAction;

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
  /** Read only when the desired listener states attributes. */
  readonly attributes?: Readonly<Record<string, string>>;
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
  /** Read only when the desired ALB states attributes. */
  readonly attributes?: Readonly<Record<string, string>>;
  /** Read only when the desired ALB states a web ACL: `{}` when none is associated. */
  readonly webAcl?: { readonly arn?: string };
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
  /** Read only when the desired target group states attributes. */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** The group's managed security group. */
export interface ObservedSecurityGroup {
  readonly id: string;
  readonly name: string;
  readonly ingress: readonly { readonly port: number; readonly cidr: string }[];
  readonly tags: Readonly<Record<string, string>>;
}

/** An ingress rule Gannet added to a target's security group (tagged as the group's). */
export interface ObservedBackendRule {
  readonly ruleId: string;
  readonly securityGroupId: string;
  readonly port: number;
  readonly sourceSecurityGroupId: string;
}

/** A security group of a target's network interface; `clusterTagged` when it carries `kubernetes.io/cluster/<cluster>`. */
export interface TargetSecurityGroup {
  readonly id: string;
  readonly clusterTagged: boolean;
}

/** Everything AWS holds for one group. Several ALBs can appear after a crash between create and tag read. */
export interface ObservedGroup {
  readonly loadBalancers: readonly ObservedLoadBalancer[];
  readonly targetGroups: readonly ObservedTargetGroup[];
  /** The managed (frontend) security groups; the backend ones are in `backendSecurityGroups`. */
  readonly securityGroups: readonly ObservedSecurityGroup[];
  readonly backendSecurityGroups?: readonly ObservedSecurityGroup[];
  /** Read when the group has or wants a backend security group. */
  readonly backendRules?: readonly ObservedBackendRule[];
  /** Read when the group wants one: the security groups of each target IP's network interface (absent: none found). */
  readonly targetSecurityGroups?: Readonly<Record<string, readonly TargetSecurityGroup[]>>;
}

/** A group with nothing in AWS yet. */
export const EMPTY_OBSERVED_GROUP: ObservedGroup = {
  loadBalancers: [],
  targetGroups: [],
  securityGroups: [],
};

/** A load balancer as listed, before its listeners are read. */
export type LoadBalancerSummary = Omit<ObservedLoadBalancer, "listeners">;

/** A target group as listed, before its targets are read; `key` is empty when untagged. */
export type TargetGroupSummary = Omit<ObservedTargetGroup, "targets">;
