// Emulated ALB data plane: the configuration it serves, as plain data read from the ELBv2 and ACM APIs.
// Shapes are the SDK's own (Rule, Action, RuleCondition), so nothing of Gannet's model is shared.

import type { Rule } from "@aws-sdk/client-elastic-load-balancing-v2";

/** A target as DescribeTargetHealth lists it (Id is an IP for `ip` target groups). */
export interface TargetRef {
  readonly id: string;
  readonly port: number;
}

/** A target group with its health-check settings, attributes and registered targets. */
export interface TargetGroupConfig {
  readonly arn: string;
  readonly name: string;
  readonly protocol: string;
  readonly port: number;
  readonly targetType: string;
  readonly healthCheck: HealthCheckConfig;
  /** DescribeTargetGroupAttributes, key to value (e.g. `deregistration_delay.timeout_seconds`). */
  readonly attributes: Readonly<Record<string, string>>;
  readonly targets: readonly TargetRef[];
}

/** A target group's health-check settings (CreateTargetGroup's HealthCheck* fields). */
export interface HealthCheckConfig {
  readonly enabled: boolean;
  readonly protocol: string;
  /** `traffic-port` or a port number. */
  readonly port: string;
  readonly path: string;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
  /** Matcher.HttpCode: `200`, `200,202`, `200-299`. */
  readonly httpCode: string;
}

/** A certificate of an HTTPS listener, with the names ACM gives it. */
export interface ListenerCertificate {
  readonly arn: string;
  readonly isDefault: boolean;
  readonly domainNames: readonly string[];
}

/** One listener: its port, protocol, certificates and rules (the default rule included). */
export interface ListenerConfig {
  readonly arn: string;
  readonly port: number;
  readonly protocol: string;
  readonly certificates: readonly ListenerCertificate[];
  readonly rules: readonly Rule[];
}

/** One application load balancer. */
export interface LoadBalancerConfig {
  readonly arn: string;
  readonly name: string;
  readonly dnsName: string;
  /** Epoch milliseconds, the order addresses are allocated in. */
  readonly createdTime: number;
  /** DescribeLoadBalancerAttributes, key to value (e.g. `idle_timeout.timeout_seconds`). */
  readonly attributes: Readonly<Record<string, string>>;
  readonly listeners: readonly ListenerConfig[];
}

/** Everything the data plane serves, read in one poll. */
export interface DataplaneConfig {
  readonly loadBalancers: readonly LoadBalancerConfig[];
  /** Every target group a served listener forwards to, by ARN. */
  readonly targetGroups: ReadonlyMap<string, TargetGroupConfig>;
}

/** A request as the listener rules see it. */
export interface AlbRequest {
  readonly method: string;
  /** The Host header as received (may carry a port). */
  readonly host: string;
  /** The path, without the query, as received (not decoded). */
  readonly path: string;
  /** The raw query string, without the leading `?` (empty when none). */
  readonly query: string;
  /** Header name (lower case) to its values. */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly sourceIp: string;
}
