// Model stage input: the source-neutral description of one group's load balancer. A front end (the
// Ingress one in sources/ingress; Gateway API next) turns its Kubernetes objects into this, and the ALB
// model (build-load-balancer.ts) builds the desired AWS state from it alone. Like Envoy Gateway's IR,
// it says what to serve (listeners, routes, backends, certificates, hostnames), not which object said
// it: objects appear only as `<namespace>/<name>` keys and field paths, so Problems can name them.
//
// What a front end decides (and reports) before it describes: its own validation, which member wins a
// setting, which backend a route resolves to and which target group settings apply. What the model
// decides: ALB's translation of matches (host regexes, path patterns, quotas), rule priorities from the
// routes' precedence, conflicts between routes, subnets, security groups and names.

import type { GroupKey, HealthCheck, Problem, RuleAction, SourceRef, Target } from "./desired.ts";

/** A place in a source object that states a value, for Problems about it: key, field and value as written. */
export interface StatedBy extends SourceRef {
  readonly value: string;
}

/** Text matched as ALB wildcard patterns (`*`, `?`) or as regular expressions. */
export type TextMatch =
  | { readonly kind: "wildcard"; readonly values: readonly string[] }
  | { readonly kind: "regex"; readonly values: readonly string[] };

/**
 * How a route matches the path: `exact` the path alone; `prefix` the path and everything below it
 * (element-wise, `/foo` matches `/foo/bar` but not `/foobar`); `wildcard` an ALB path pattern as written;
 * `regex` a regular expression.
 */
export interface PathMatch {
  readonly kind: "exact" | "prefix" | "wildcard" | "regex";
  readonly value: string;
}

/**
 * A condition a request must also meet. Within one condition any value matches; all conditions must.
 * `host` and `path` add alternatives to the route's own host and path.
 */
export type MatchCondition =
  | { readonly kind: "host"; readonly match: TextMatch }
  | { readonly kind: "path"; readonly match: TextMatch }
  | { readonly kind: "header"; readonly name: string; readonly match: TextMatch }
  | { readonly kind: "method"; readonly methods: readonly string[] }
  | { readonly kind: "query"; readonly pairs: readonly { readonly key?: string; readonly value: string }[] }
  | { readonly kind: "source-ip"; readonly cidrs: readonly string[] };

/** What a route matches: an optional host, a path, more conditions. */
export interface RouteMatch {
  /**
   * Lowercase; a leading `*.` matches exactly one label, as in the Ingress spec. A source whose wildcards
   * match several labels (Gateway API: `*.example.com` matches `a.b.example.com`) states such a host as
   * a `host` condition with the wildcard pattern `*.example.com` instead.
   */
  readonly host?: string;
  readonly path: PathMatch;
  readonly conditions: readonly MatchCondition[];
}

/** One backend of a weighted forward: a described backend by key, or a target group by ARN. */
export type WeightedBackend =
  | { readonly backend: string; readonly weight: number }
  | { readonly targetGroupArn: string; readonly weight: number };

/** What a route does with a request that matches. */
export type RouteAction =
  | {
      readonly type: "forward";
      readonly backends: readonly WeightedBackend[];
      readonly stickiness?: { readonly enabled: boolean; readonly durationSeconds: number };
    }
  | Exclude<RuleAction, { type: "forward" }>;

/** A rewrite of the Host header or the URL before the request reaches its backends (regex → replacement). */
export interface RouteTransform {
  readonly type: "host-header-rewrite" | "url-rewrite";
  readonly rewrites: readonly { readonly regex: string; readonly replace: string }[];
}

/** One route: where it listens, what it matches, what it does. */
export interface RouteDescription {
  /** The object and field that state the route. */
  readonly source: SourceRef;
  /** The listener ports it is served on. */
  readonly ports: readonly number[];
  readonly match: RouteMatch;
  readonly action: RouteAction;
  /** Set when `action` stands in for a broken backend: an existing rule is kept as it is (its last good state). */
  readonly fallback?: true;
  readonly transforms?: readonly RouteTransform[];
  /**
   * The front end's precedence, compared element by element (lower first): the model gives a route a
   * lower rule priority than every route after it. Ties keep the routes' order.
   */
  readonly precedence: readonly number[];
  /** A route of a member left out for bad input: its existing rule is kept, no new one is made. */
  readonly retained?: true;
}

/** The default action of the listeners `ports`: what a request no route matches gets. */
export interface DefaultRouteDescription {
  readonly source: SourceRef;
  readonly ports: readonly number[];
  readonly action: RouteAction;
}

/** One listener. HTTPS ones carry their TLS policy and the certificates the source names. */
export interface ListenerDescription {
  readonly port: number;
  readonly protocol: "HTTP" | "HTTPS";
  readonly sslPolicy?: string;
  /** Certificate ARNs the source names (HTTPS); the model adds the ones chosen for the TLS hosts. */
  readonly certificateArns?: readonly string[];
}

/** Listener attributes the source states for `<protocol>-<port>`, which may name no listener. */
export interface ListenerAttributesDescription {
  readonly protocol: "HTTP" | "HTTPS";
  readonly port: number;
  readonly attributes: Readonly<Record<string, string>>;
  /** Where they are stated (the source's name for them is the field). */
  readonly statedBy: readonly StatedBy[];
}

/** How the target group of a backend talks to its targets. */
export interface TargetGroupSpec {
  readonly protocol: "HTTP" | "HTTPS";
  readonly protocolVersion: "HTTP1" | "HTTP2" | "GRPC";
  readonly healthCheck: HealthCheck;
  /** Target group attributes to set; keys not listed are left alone. */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** A backend: one Service port, the pods behind it, and how its target group is set. */
export interface BackendDescription {
  /** `<namespace>/<service>:<port as written>`: the target group's key. */
  readonly key: string;
  readonly targetGroup: TargetGroupSpec;
  readonly targets: readonly Target[];
  /** User tags for its target group. */
  readonly tags: Readonly<Record<string, string>>;
  /** Problems that matter only when a rule uses the backend (reported then). */
  /** Problems that matter only when a rule uses the backend (reported then). */
  readonly problems: readonly Problem[];
}

/** Load-balancer settings the model may hold at the ALB's current values (see `held`). */
export type HeldSetting =
  | "scheme"
  | "ipAddressType"
  | "subnets"
  | "inboundCidrs"
  | "loadBalancerName"
  | "securityGroups"
  | "manageBackendSecurityGroupRules";

/** The load balancer as the source states it, defaults filled in. */
export interface LoadBalancerDescription {
  readonly scheme: "internal" | "internet-facing";
  readonly ipAddressType: "ipv4" | "dualstack";
  /** Subnet IDs or Name tag values; absent: discovery by tags. */
  readonly subnets?: readonly string[];
  /** Where to report subnets that cannot be used (the group halts). */
  readonly subnetsStatedBy: readonly StatedBy[];
  readonly inboundCidrs: readonly string[];
  readonly name?: string;
  /** User tags for the load balancer and its security group. */
  readonly tags: Readonly<Record<string, string>>;
  /** Security group IDs or Name tag values replacing the managed one, and where they are stated. */
  readonly securityGroups?: { readonly entries: readonly string[]; readonly statedBy: readonly StatedBy[] };
  /** Set when Gannet should manage the targets' security group rules: where that is asked. */
  readonly backendSecurityGroup?: { readonly source: SourceRef };
  readonly attributes?: Readonly<Record<string, string>>;
  /** A web ACL ARN, or none to disassociate; absent: left as it is. */
  readonly webAcl?: { readonly arn: string } | { readonly none: true };
  /**
   * Settings only a left-out member states: the model keeps the ALB's current values for them, or halts
   * (no ALB yet, or a security group setting) with `reason`.
   */
  readonly held?: { readonly settings: readonly HeldSetting[]; readonly reason: string };
}

/** A host name (lowercase, `*.` for a wildcard) and the field that states it first. */
export interface HostRef {
  readonly host: string;
  readonly field: string;
}

/** TLS hosts a member serves: certificates are chosen or requested for them. */
export interface TlsDescription {
  readonly member: string;
  /** Valid hosts, de-duplicated, in the order written. */
  readonly hosts: readonly HostRef[];
  /** Certificates the member names itself: none is chosen or requested for its hosts then. */
  readonly certificateArns?: readonly string[];
  /** Hosts that are not DNS names. */
  readonly problems: readonly Problem[];
}

/** Hostnames a member publishes in DNS, pointing at the load balancer. */
export interface HostnameDescription {
  readonly member: string;
  /** The owner the DNS registry records for these hosts (ExternalDNS's `resource`, like `ingress/<ns>/<name>`). */
  readonly resource: string;
  /** Valid hosts, de-duplicated, in the order first stated. */
  readonly hosts: readonly HostRef[];
  /** Record TTL in seconds, when the source sets one. */
  readonly ttl?: number;
  /** Hosts that are not DNS names, and a TTL that is not one. */
  readonly problems: readonly Problem[];
}

/** Everything one group asks of its load balancer, and the Problems the front end found. */
export interface GroupDescription {
  readonly group: GroupKey;
  /** Live members (being deleted ones are absent), in group order. */
  readonly members: readonly string[];
  /** Members left out for bad input: the model keeps their rules as they are and names only the others. */
  readonly leftOut: readonly string[];
  /** Every live member, oldest first: the older wins a conflict and keeps its rules under a quota. */
  readonly seniority: readonly string[];
  /** Set when AWS must be left unchanged for the group (the reason); the rest is then empty. */
  readonly halt?: string;
  readonly loadBalancer?: LoadBalancerDescription;
  readonly listeners: readonly ListenerDescription[];
  readonly listenerAttributes: readonly ListenerAttributesDescription[];
  /** In group order (a retained route where its member would be). */
  readonly routes: readonly RouteDescription[];
  readonly defaultRoute?: DefaultRouteDescription;
  /** The backends routes may forward to, by key. */
  readonly backends: readonly BackendDescription[];
  /** Once an HTTPS listener serves on this port, HTTP listeners redirect to it. */
  readonly httpsRedirectPort?: number;
  /** The TLS hosts of every live member (those left out too), in group order. */
  readonly tls: readonly TlsDescription[];
  /** The DNS hostnames of every live member (those left out too), in group order. */
  readonly hostnames: readonly HostnameDescription[];
  /** Problems about the members and their load-balancer settings: reported even when the group halts. */
  readonly problems: readonly Problem[];
  /** Problems about routes, backends and rule-level settings: reported once the model is built. */
  readonly ruleProblems: readonly Problem[];
}
