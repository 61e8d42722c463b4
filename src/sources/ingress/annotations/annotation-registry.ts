// Model stage: the one registry of the annotations Gannet knows, each declared once: its name (or name
// pattern), where it is read, its value schema, its support status with the reason users are shown, and
// its documentation. Validation (readAnnotation), the Warnings for annotations Gannet does not act on
// (annotation-warnings.ts) and the tables in docs/annotations.md (annotation-docs.ts) derive from it.
//
// Families: AWS Load Balancer Controller's `alb.ingress.kubernetes.io/*` (ALB_ANNOTATIONS), ExternalDNS's
// `external-dns.kubernetes.io/*` and `external-dns.alpha.kubernetes.io/*` (EXTERNAL_DNS_ANNOTATIONS), and
// Kubernetes' own (KUBERNETES_ANNOTATIONS). Gannet has no annotations of its own. The AWS LBC prefix is
// ANNOTATION_PREFIX (problems.ts).

import type { ZodType } from "zod";
import { actionSchema } from "./action-schema.ts";
import { ANNOTATION_SCHEMAS as S } from "./annotation-schemas.ts";
import { conditionsSchema } from "./condition-schema.ts";
import { transformsSchema } from "./transform-schema.ts";

/** What Gannet does with an annotation; "not yet" and "not supported" ones get a Warning when set. */
export type AnnotationStatus = "supported" | "differs" | "not yet" | "not supported";

/** The objects an annotation is read from (the first one wins when several carry it). */
export type AnnotationObject = "Ingress" | "Service" | "IngressClass";

/** How far a value reaches: the group's whole ALB, one member's paths, or one backend's target group. */
export type AnnotationScope = "group-wide" | "per member" | "per target group" | "per class";

/** One annotation (or family of names), as declared in the registry. */
export interface AnnotationSpec {
  /** The name after the family's prefix; `<placeholder>`s make it a pattern (`actions.<name>`). */
  readonly name: string;
  /** Where Gannet reads it; only for the annotations it acts on. */
  readonly on?: readonly AnnotationObject[];
  readonly scope?: AnnotationScope;
  readonly status: AnnotationStatus;
  /** The documentation table's notes. */
  readonly notes: string;
  /** For "not yet" and "not supported": why, and what to do, as the Warning says it. */
  readonly warning?: string;
  /** The value's schema (raw string → typed, checked value); JSON annotations have their own reader. */
  readonly schema?: ZodType;
}

/** Annotation prefixes of ExternalDNS: the current one first, then the older alpha one. */
export const EXTERNAL_DNS_PREFIXES = [
  "external-dns.kubernetes.io/",
  "external-dns.alpha.kubernetes.io/",
] as const;

/** An AWS LBC entry: JSON annotations quote an example value; success-codes has a gRPC variant. */
export interface AlbAnnotationSpec extends AnnotationSpec {
  readonly example?: string;
  readonly grpcSchema?: ZodType;
}

const ING = ["Ingress"] as const;
const SVC_ING = ["Service", "Ingress"] as const;
const SEE_ADDONS = "see Load balancer add-ons below";

/** The `alb.ingress.kubernetes.io/*` annotations of AWS LBC, in the documentation table's order. */
export const ALB_ANNOTATIONS = {
  groupName: {
    name: "group.name",
    on: ING,
    scope: "per member",
    status: "supported",
    schema: S.groupName,
    notes:
      "plus a join policy: only the oldest member's namespace may join, unless the IngressClass's ConfigMap allows more (differs: AWS LBC lets anyone join)",
  },
  groupOrder: {
    name: "group.order",
    on: ING,
    scope: "per member",
    status: "differs",
    schema: S.groupOrder,
    notes:
      "rules are ranked by the Ingress spec's precedence (host, longest path, Exact); `group.order` only orders ties. Conflicts go to the older Ingress",
  },
  loadBalancerName: {
    name: "load-balancer-name",
    on: ING,
    scope: "group-wide",
    status: "supported",
    schema: S.loadBalancerName,
    notes: "members must agree",
  },
  scheme: {
    name: "scheme",
    on: ING,
    scope: "group-wide",
    status: "supported",
    schema: S.scheme,
    notes: "default `internal`; a change replaces the ALB, as in AWS",
  },
  subnets: {
    name: "subnets",
    on: ING,
    scope: "group-wide",
    status: "supported",
    schema: S.subnets,
    notes: "IDs or `Name` tags; discovery by `kubernetes.io/role/elb` / `internal-elb` tags otherwise",
  },
  ipAddressType: {
    name: "ip-address-type",
    on: ING,
    scope: "group-wide",
    status: "supported",
    schema: S.ipAddressType,
    notes: "`ipv4`, `dualstack` (AAAA records too)",
  },
  securityGroups: {
    name: "security-groups",
    on: ING,
    scope: "group-wide",
    status: "supported",
    schema: S.securityGroups,
    notes: SEE_ADDONS,
  },
  manageBackendSecurityGroupRules: {
    name: "manage-backend-security-group-rules",
    on: ING,
    scope: "group-wide",
    status: "differs",
    schema: S.manageBackendSecurityGroupRules,
    notes: "a subset for IP targets, only when asked (see Load balancer add-ons below)",
  },
  inboundCidrs: {
    name: "inbound-cidrs",
    on: ING,
    scope: "group-wide",
    status: "supported",
    schema: S.inboundCidrs,
    notes: "default `0.0.0.0/0` (and `::/0` for dualstack); IPv6 canonicalized",
  },
  securityGroupPrefixLists: {
    name: "security-group-prefix-lists",
    status: "not yet",
    notes: "Warning",
  },
  listenPorts: {
    name: "listen-ports",
    on: ING,
    scope: "group-wide",
    status: "supported",
    schema: S.listenPorts,
    notes:
      "default HTTP:80; HTTPS:443 with `certificate-arn`; HTTP:80 + HTTPS:443 for `spec.tls` hosts (Gannet requests their certificates)",
  },
  sslRedirect: {
    name: "ssl-redirect",
    on: ING,
    scope: "group-wide",
    status: "supported",
    schema: S.sslRedirect,
    notes: "once the group serves HTTPS on that port, every HTTP listener redirects to it (301)",
  },
  certificateArns: {
    name: "certificate-arn",
    on: ING,
    scope: "group-wide",
    status: "supported",
    schema: S.certificateArns,
    notes: "plus discovery and requests for `spec.tls` hosts (see Certificates)",
  },
  sslPolicy: {
    name: "ssl-policy",
    on: ING,
    scope: "group-wide",
    status: "differs",
    schema: S.sslPolicy,
    notes: "default `ELBSecurityPolicy-TLS13-1-2-2021-06` (AWS LBC: `ELBSecurityPolicy-2016-08`)",
  },
  tags: {
    name: "tags",
    on: ["Ingress", "Service"],
    scope: "group-wide",
    status: "supported",
    schema: S.tags,
    notes:
      "keys under `gannet.io/` are refused, so no one can claim ownership; on a Service, they tag its target group",
  },
  loadBalancerAttributes: {
    name: "load-balancer-attributes",
    on: ING,
    scope: "group-wide",
    status: "supported",
    schema: S.loadBalancerAttributes,
    notes: SEE_ADDONS,
  },
  listenerAttributes: {
    name: "listener-attributes.<Protocol>-<Port>",
    on: ING,
    scope: "group-wide",
    status: "supported",
    schema: S.listenerAttributes,
    notes: SEE_ADDONS,
  },
  wafv2AclArn: {
    name: "wafv2-acl-arn",
    on: ING,
    scope: "group-wide",
    status: "supported",
    schema: S.wafv2AclArn,
    notes: `${SEE_ADDONS}; the emulator does not store it, so the test checks the request`,
  },
  wafv2AclName: { name: "wafv2-acl-name", status: "not yet", notes: "Warning" },
  wafAclId: {
    name: "waf-acl-id",
    status: "not supported",
    notes: "WAF Classic is retired: use `wafv2-acl-arn`",
    warning:
      "is AWS WAF Classic, which AWS retired (support ended on September 30, 2025): Gannet does not associate Classic web ACLs; migrate the web ACL to AWS WAF (WAFv2) and set alb.ingress.kubernetes.io/wafv2-acl-arn. The load balancer's current association is left as it is",
  },
  webAclId: {
    name: "web-acl-id",
    status: "not supported",
    notes: "WAF Classic is retired: use `wafv2-acl-arn`",
    warning:
      "is the older name of waf-acl-id, for AWS WAF Classic, which AWS retired: migrate to AWS WAF (WAFv2) and set alb.ingress.kubernetes.io/wafv2-acl-arn",
  },
  shieldAdvancedProtection: {
    name: "shield-advanced-protection",
    status: "not supported",
    notes: "an account-wide subscription, managed in Shield or Firewall Manager",
    warning:
      "is not supported: Shield Advanced is an account-wide subscription whose protections are best managed in one place (AWS Firewall Manager or the Shield console) rather than per Ingress; the load balancer's current protection is left as it is, so protect it there",
  },
  targetType: {
    name: "target-type",
    on: SVC_ING,
    scope: "per target group",
    status: "differs",
    schema: S.targetType,
    notes: "`ip` only (pod IPs from EndpointSlices); `instance` gets a Warning and `ip` is used",
  },
  targetNodeLabels: {
    name: "target-node-labels",
    status: "not supported",
    notes: "only for `instance` targets",
    warning:
      "is not supported: it selects the nodes of instance targets, and Gannet registers pod IPs (target-type ip); remove it",
  },
  backendProtocol: {
    name: "backend-protocol",
    on: SVC_ING,
    scope: "per target group",
    status: "supported",
    schema: S.backendProtocol,
    notes: "Service annotations override the Ingress's",
  },
  backendProtocolVersion: {
    name: "backend-protocol-version",
    on: SVC_ING,
    scope: "per target group",
    status: "supported",
    schema: S.backendProtocolVersion,
    notes: "Service annotations override the Ingress's",
  },
  healthcheckPath: {
    name: "healthcheck-path",
    on: SVC_ING,
    scope: "per target group",
    status: "supported",
    schema: S.healthcheckPath,
    notes: "Service overrides Ingress; GRPC defaults as AWS LBC",
  },
  healthcheckPort: {
    name: "healthcheck-port",
    on: SVC_ING,
    scope: "per target group",
    status: "supported",
    schema: S.healthcheckPort,
    notes: "Service overrides Ingress; GRPC defaults as AWS LBC",
  },
  healthcheckProtocol: {
    name: "healthcheck-protocol",
    on: SVC_ING,
    scope: "per target group",
    status: "supported",
    schema: S.healthcheckProtocol,
    notes: "Service overrides Ingress; GRPC defaults as AWS LBC",
  },
  healthcheckIntervalSeconds: {
    name: "healthcheck-interval-seconds",
    on: SVC_ING,
    scope: "per target group",
    status: "supported",
    schema: S.healthcheckIntervalSeconds,
    notes: "Service overrides Ingress; GRPC defaults as AWS LBC",
  },
  healthcheckTimeoutSeconds: {
    name: "healthcheck-timeout-seconds",
    on: SVC_ING,
    scope: "per target group",
    status: "supported",
    schema: S.healthcheckTimeoutSeconds,
    notes: "Service overrides Ingress; GRPC defaults as AWS LBC",
  },
  healthyThresholdCount: {
    name: "healthy-threshold-count",
    on: SVC_ING,
    scope: "per target group",
    status: "supported",
    schema: S.healthyThresholdCount,
    notes: "Service overrides Ingress; GRPC defaults as AWS LBC",
  },
  unhealthyThresholdCount: {
    name: "unhealthy-threshold-count",
    on: SVC_ING,
    scope: "per target group",
    status: "supported",
    schema: S.unhealthyThresholdCount,
    notes: "Service overrides Ingress; GRPC defaults as AWS LBC",
  },
  successCodes: {
    name: "success-codes",
    on: SVC_ING,
    scope: "per target group",
    status: "supported",
    // HTTP codes; a GRPC target group reads gRPC codes (grpcSchema).
    schema: S.successCodesHttp,
    grpcSchema: S.successCodesGrpc,
    notes: "Service overrides Ingress; GRPC defaults as AWS LBC",
  },
  targetGroupAttributes: {
    name: "target-group-attributes",
    on: SVC_ING,
    scope: "per target group",
    status: "supported",
    schema: S.targetGroupAttributes,
    notes: `${SEE_ADDONS}; Service overrides Ingress`,
  },
  actions: {
    name: "actions.<name>",
    on: ING,
    scope: "per member",
    status: "supported",
    schema: actionSchema,
    example: '{"type":"fixed-response","fixedResponseConfig":{"statusCode":"503"}}',
    notes:
      "fixed-response, redirect, forward (weighted, stickiness, `targetGroupARN`); `targetGroupName` not yet",
  },
  conditions: {
    name: "conditions.<name>",
    on: ING,
    scope: "per member",
    status: "supported",
    schema: conditionsSchema,
    example: '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X-Canary","values":["on"]}}]',
    notes: "host-header, path-pattern, http-header, http-request-method, query-string, source-ip",
  },
  transforms: {
    name: "transforms.<name>",
    on: ING,
    scope: "per member",
    status: "supported",
    schema: transformsSchema,
    example:
      '[{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[{"regex":"^/api/(.+)$","replace":"/$1"}]}}]',
    notes: "url-rewrite, host-header-rewrite",
  },
  useRegexPathMatch: {
    name: "use-regex-path-match",
    on: ING,
    scope: "per member",
    status: "supported",
    schema: S.useRegexPathMatch,
    notes: "ImplementationSpecific paths are regexes (after the leading `/`), as in AWS LBC",
  },
  ...notYet(
    [
      "auth-type",
      "auth-idp-cognito",
      "auth-idp-oidc",
      "auth-on-unauthenticated-request",
      "auth-scope",
      "auth-session-cookie",
      "auth-session-timeout",
    ],
    "Warning; needs authenticate actions and a Secret reader",
    "the ALB does not authenticate requests to this Ingress's paths, so protect them another way",
  ),
  jwtValidation: {
    name: "jwt-validation",
    status: "not yet",
    notes: "Warning",
  },
  mutualAuthentication: {
    name: "mutual-authentication",
    status: "not yet",
    notes: "Warning",
  },
  ...notYet(["customer-owned-ipv4-pool", "ipam-ipv4-pool-id"], "Warning (Outposts, IPAM)"),
  minimumLoadBalancerCapacity: {
    name: "minimum-load-balancer-capacity",
    status: "not yet",
    notes: "Warning",
  },
  multiClusterTargetGroup: {
    name: "multi-cluster-target-group",
    status: "not yet",
    notes: "Warning; Gannet owns only the targets it registered anyway",
  },
  targetControlPort: {
    name: "target-control-port.<service>.<port>",
    status: "not yet",
    notes: "Warning",
  },
  ...notYet(["enable-frontend-nlb", "frontend-nlb-<setting>"], "Warning"),
  createAcmCert: {
    name: "create-acm-cert",
    status: "not yet",
    notes: "Warning; Gannet requests certificates for `spec.tls` hosts without it (see Certificates)",
    warning: "Gannet requests ACM certificates for the hosts of spec.tls without it",
  },
  acmPcaArn: {
    name: "acm-pca-arn",
    status: "not yet",
    notes: "Warning; certificates from a private CA",
  },
  dryRunPlan: {
    name: "dry-run-plan",
    status: "not supported",
    notes: "`gannet plan` shows what a reconcile would change",
    warning:
      "is not supported: Gannet's dry run is the `gannet plan` command, which shows every change a reconcile would make without making it; remove the annotation",
  },
} as const satisfies Record<string, AlbAnnotationSpec>;

/** "Not yet" entries sharing notes, keyed by name (`auth-type`, …). */
function notYet<const N extends string>(
  names: readonly N[],
  notes: string,
  warning?: string,
): Record<N, AnnotationSpec> {
  const entry = (name: N): AnnotationSpec => ({
    name,
    status: "not yet",
    notes,
    ...(warning === undefined ? {} : { warning }),
  });
  return Object.fromEntries(names.map((n) => [n, entry(n)])) as Record<N, AnnotationSpec>;
}

/** ExternalDNS's annotations of an Ingress (under either prefix), in the documentation table's order. */
export const EXTERNAL_DNS_ANNOTATIONS = {
  hostname: {
    name: "hostname",
    on: ING,
    scope: "per member",
    status: "supported",
    notes:
      "comma-separated hosts, published beside `spec.rules[].host` and `spec.tls[].hosts` (see DNS records)",
  },
  ttl: {
    name: "ttl",
    on: ING,
    scope: "group-wide",
    status: "supported",
    schema: S.externalDnsTtl,
    notes: "seconds or a duration like `5m`; the first member in group order that states it wins",
  },
  alias: {
    name: "alias",
    status: "not supported",
    notes: "not needed: Gannet always writes A (and AAAA) alias records to the ALB",
    warning:
      "is not read: Gannet always writes A (and AAAA) alias records to the Ingress's ALB, never a CNAME; remove it",
  },
  target: {
    name: "target",
    status: "not supported",
    notes: "records always point at the group's ALB",
    warning:
      "is not supported: Gannet's records always point at the Ingress's ALB; to publish another target, create that record outside Gannet and remove the host from this Ingress",
  },
  setIdentifier: {
    name: "set-identifier",
    status: "not yet",
    notes: "Warning; Gannet writes simple records, no routing policies",
  },
  aws: {
    name: "aws-<policy>",
    status: "not yet",
    notes: "Warning; Route53 routing policies (weight, region, failover, geolocation, …) are not written yet",
  },
  ingressHostnameSource: {
    name: "ingress-hostname-source",
    status: "not yet",
    notes: "Warning; every source is used: annotation, `spec.rules` and `spec.tls`",
  },
  controller: {
    name: "controller",
    status: "not supported",
    notes: "Gannet publishes the hosts of every Ingress of its class",
    warning:
      "is not supported: Gannet publishes the hosts of every Ingress of its IngressClass; to keep a host out of DNS, remove it from the Ingress",
  },
  ...serviceOnly(["internal-hostname", "access", "endpoints-type"]),
  ...otherProvider(["cloudflare-<setting>", "scw-<setting>", "webhook-<setting>"]),
} as const satisfies Record<string, AnnotationSpec>;

function serviceOnly<const N extends string>(names: readonly N[]): Record<N, AnnotationSpec> {
  const entry = (name: N): AnnotationSpec => ({
    name,
    status: "not supported",
    notes: "ExternalDNS reads it on Services and Nodes, not on Ingresses",
    warning: "has no effect on an Ingress: ExternalDNS reads it on Services and Nodes; remove it",
  });
  return Object.fromEntries(names.map((n) => [n, entry(n)])) as Record<N, AnnotationSpec>;
}

function otherProvider<const N extends string>(names: readonly N[]): Record<N, AnnotationSpec> {
  const entry = (name: N): AnnotationSpec => ({
    name,
    status: "not supported",
    notes: "another DNS provider's; Gannet writes Route53",
    warning: "is for another DNS provider: Gannet writes Route53 records, so it has no effect; remove it",
  });
  return Object.fromEntries(names.map((n) => [n, entry(n)])) as Record<N, AnnotationSpec>;
}

/** Kubernetes' own annotations Gannet reads. */
export const KUBERNETES_ANNOTATIONS = {
  ingressClass: {
    name: "kubernetes.io/ingress.class",
    on: ING,
    scope: "per member",
    status: "supported",
    notes: "the legacy way to name an IngressClass; `spec.ingressClassName` wins when both are set",
  },
  isDefaultClass: {
    name: "ingressclass.kubernetes.io/is-default-class",
    on: ["IngressClass"],
    scope: "per class",
    status: "supported",
    notes: "`\"true\"` on Gannet's IngressClass: Ingresses without a class are Gannet's",
  },
} as const satisfies Record<string, AnnotationSpec>;

/** The names of the `alb.ingress.kubernetes.io/*` annotations, by registry key (without the prefix). */
export const ANNOTATION = Object.fromEntries(
  Object.entries(ALB_ANNOTATIONS).map(([key, spec]) => [key, spec.name]),
) as { readonly [K in keyof typeof ALB_ANNOTATIONS]: (typeof ALB_ANNOTATIONS)[K]["name"] };

/** Prefix of the per-listener `listener-attributes.<Protocol>-<Port>` annotations. */
export const LISTENER_ATTRIBUTES_PREFIX = "listener-attributes.";

/** The fixed part of a pattern's name (`actions.` of `actions.<name>`), or undefined for an exact name. */
export function namePrefix(spec: Pick<AnnotationSpec, "name">): string | undefined {
  const at = spec.name.indexOf("<");
  return at < 0 ? undefined : spec.name.slice(0, at);
}

/** The entry of `registry` a name (without the family prefix) belongs to: exact, else by pattern. */
export function findAnnotation(
  registry: Readonly<Record<string, AnnotationSpec>>,
  name: string,
): AnnotationSpec | undefined {
  const specs = Object.values(registry);
  return (
    specs.find((s) => s.name === name) ??
    specs.find((s) => {
      const prefix = namePrefix(s);
      return prefix !== undefined && name.startsWith(prefix) && name.length > prefix.length;
    })
  );
}

/** True when Gannet acts on the annotation (its value matters). */
export function isActedOn(spec: AnnotationSpec): boolean {
  return spec.status === "supported" || spec.status === "differs";
}
