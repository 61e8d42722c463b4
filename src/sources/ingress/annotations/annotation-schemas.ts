// Model stage: zod schemas for the values of the annotations Gannet reads (`alb.ingress.kubernetes.io/*`
// and ExternalDNS's `ttl`). Each schema takes the raw annotation string and yields a typed value; see
// annotation-values.ts for the building blocks and annotation-registry.ts for which name uses which.

import { z } from "zod";
import { checkUserTag, MAX_USER_TAGS } from "../../../model/ownership.ts";
import { cidrSchema, codeList, commaList, intInRange, oneOf } from "./annotation-values.ts";
import {
  attributeMap,
  checkTargetGroupAttributes,
  LISTENER_ATTRIBUTES,
  LOAD_BALANCER_ATTRIBUTES,
  TARGET_GROUP_ATTRIBUTES,
} from "./attribute-schemas.ts";

/** A listener port and protocol from `listen-ports`. */
export interface ListenPort {
  readonly protocol: "HTTP" | "HTTPS";
  readonly port: number;
}

const subnetIdOrName = z
  .string()
  .max(256, { error: "a subnet Name tag value has at most 256 characters" })
  .refine((v) => !v.startsWith("subnet-") || /^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/.test(v), {
    error: (iss) => `${JSON.stringify(iss.input)} is not a subnet ID like subnet-0123456789abcdef0`,
  });

const securityGroupIdOrName = z
  .string()
  .max(256, { error: "a security group Name tag value has at most 256 characters" })
  .refine((v) => !v.startsWith("sg-") || /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/.test(v), {
    error: (iss) => `${JSON.stringify(iss.input)} is not a security group ID like sg-0123456789abcdef0`,
  });

/** `strconv.ParseBool`, as AWS LBC reads boolean annotations. */
const goBool = z.string().transform((v, ctx) => {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(v)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(v)) return false;
  ctx.addIssue({ code: "custom", message: 'must be "true" or "false"' });
  return z.NEVER;
});

const SSL_REDIRECT_MESSAGE = 'must be the HTTPS port to redirect to, such as "443"';

const MAX_TTL = 2_147_483_647;
const TTL_MESSAGE = `must be a whole number of seconds from 1 to ${MAX_TTL}, or a duration like 5m`;
const DURATION_UNITS: Readonly<Record<string, number>> = {
  h: 3600,
  m: 60,
  s: 1,
  ms: 1e-3,
  us: 1e-6,
  ns: 1e-9,
};

// ExternalDNS reads the TTL as a Go duration ("10m") or as plain seconds; fractions of a second are cut.
const ttlSchema = z
  .string()
  .trim()
  .transform((raw, ctx) => {
    if (/^\d+$/.test(raw)) return Number(raw);
    if (/^(\d+(\.\d+)?(h|ms|m|s|us|ns))+$/.test(raw)) {
      let seconds = 0;
      for (const [, n = "0", , unit = "s"] of raw.matchAll(/(\d+(\.\d+)?)(h|ms|m|s|us|ns)/g)) {
        seconds += Number(n) * (DURATION_UNITS[unit] ?? 1);
      }
      return Math.floor(seconds);
    }
    ctx.addIssue({ code: "custom", message: TTL_MESSAGE });
    return z.NEVER;
  })
  .pipe(z.number().int().min(1, { error: TTL_MESSAGE }).max(MAX_TTL, { error: TTL_MESSAGE }));

const listenPortsJson = z
  .string()
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: 'must be JSON like [{"HTTP":80},{"HTTPS":443}]' });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .array(z.record(z.string(), z.unknown()), {
        error: 'must be a JSON array like [{"HTTP":80},{"HTTPS":443}]',
      })
      .min(1, { error: 'must list at least one port, like [{"HTTP":80}]' }),
  )
  .transform((entries, ctx) => {
    const ports = new Map<number, ListenPort>();
    for (const [protocol, port] of entries.flatMap((e) => Object.entries(e))) {
      if (protocol !== "HTTP" && protocol !== "HTTPS") {
        ctx.addIssue({
          code: "custom",
          message: `protocol ${JSON.stringify(protocol)} must be "HTTP" or "HTTPS"`,
        });
        return z.NEVER;
      }
      if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) {
        ctx.addIssue({
          code: "custom",
          message: `port ${JSON.stringify(port)} must be a number from 1 to 65535`,
        });
        return z.NEVER;
      }
      const seen = ports.get(port);
      if (seen && seen.protocol !== protocol) {
        ctx.addIssue({ code: "custom", message: `port ${port} is listed as both HTTP and HTTPS: keep one` });
        return z.NEVER;
      }
      ports.set(port, { protocol, port });
    }
    return [...ports.values()].sort((a, b) => a.port - b.port);
  });

const tagPair = z.string().transform((pair, ctx) => {
  const eq = pair.indexOf("=");
  const key = (eq < 0 ? pair : pair.slice(0, eq)).trim();
  const value = eq < 0 ? "" : pair.slice(eq + 1).trim();
  if (eq < 0 || key === "") {
    ctx.addIssue({ code: "custom", message: `${JSON.stringify(pair)} must be key=value` });
    return z.NEVER;
  }
  const refused = checkUserTag(key, value);
  if (refused !== undefined) {
    ctx.addIssue({ code: "custom", message: refused });
    return z.NEVER;
  }
  return [key, value] as const;
});

/** Schemas of the annotation values, by annotation name (without the prefix). */
export const ANNOTATION_SCHEMAS = {
  scheme: oneOf(["internal", "internet-facing"]),
  ipAddressType: oneOf(["ipv4", "dualstack"]),
  subnets: commaList(subnetIdOrName, "subnet ID or Name tag value").transform((v) => [...new Set(v)].sort()),
  inboundCidrs: commaList(cidrSchema, "CIDR").transform((v) => [...new Set(v)].sort()),
  listenPorts: listenPortsJson,
  tags: commaList(tagPair, "key=value pair")
    .refine((pairs) => pairs.length <= MAX_USER_TAGS, {
      error: (iss) =>
        `lists ${(iss.input as unknown[]).length} tags; AWS takes 50 per resource and Gannet writes 5, so at most ${MAX_USER_TAGS}`,
    })
    .transform((pairs) => Object.fromEntries(pairs)),
  loadBalancerName: z.string().regex(/^(?!internal-)[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/, {
    error:
      'must be 1 to 32 letters, digits and hyphens, must not begin or end with a hyphen nor begin with "internal-"',
  }),
  sslPolicy: z.string().regex(/^[A-Za-z0-9-]{1,128}$/, {
    error: "must be an ELB security policy name like ELBSecurityPolicy-TLS13-1-2-2021-06",
  }),
  certificateArns: commaList(
    z
      .string()
      .regex(/^arn:aws[a-z-]*:(?:acm:[a-z0-9-]+:\d{12}:certificate|iam::\d{12}:server-certificate)\/\S+$/, {
        error: (iss) => `${JSON.stringify(iss.input)} is not an ACM or IAM certificate ARN`,
      }),
    "certificate ARN",
  ).transform((v) => [...new Set(v)]),
  groupName: z
    .string()
    .max(63, { error: "must be at most 63 characters" })
    .regex(/^(?:[a-z0-9][-a-z0-9.]*)?[a-z0-9]$/, {
      error: "must be lowercase letters, digits, '-' and '.', beginning and ending with a letter or digit",
    }),
  groupOrder: intInRange(-1000, 1000),
  targetType: z.string().transform((v, ctx) => {
    if (v === "ip") return "ip" as const;
    const message =
      v === "instance"
        ? 'is not supported: Gannet registers pod IPs; set target-type "ip" or remove the annotation'
        : 'must be "ip" (Gannet registers pod IPs)';
    ctx.addIssue({ code: "custom", message });
    return z.NEVER;
  }),
  backendProtocol: oneOf(["HTTP", "HTTPS"]),
  backendProtocolVersion: oneOf(["HTTP1", "HTTP2", "GRPC"]),
  healthcheckProtocol: oneOf(["HTTP", "HTTPS"]),
  healthcheckPath: z
    .string()
    .regex(/^\/\S{0,1023}$/, { error: "must be a path beginning with '/', like /healthz" }),
  healthcheckPort: z
    .string()
    .regex(/^(?:traffic-port|[1-9]\d{0,4})$/, { error: 'must be "traffic-port" or a port number' })
    .refine((v) => v === "traffic-port" || Number(v) <= 65535, {
      error: 'must be "traffic-port" or a port number from 1 to 65535',
    }),
  healthcheckIntervalSeconds: intInRange(5, 300),
  healthcheckTimeoutSeconds: intInRange(2, 120),
  healthyThresholdCount: intInRange(2, 10),
  unhealthyThresholdCount: intInRange(2, 10),
  successCodesHttp: codeList(200, 499, "HTTP codes from 200 to 499, like 200, 200,302 or 200-299"),
  successCodesGrpc: codeList(0, 99, "gRPC codes from 0 to 99, like 12, 0,12 or 0-99"),
  securityGroups: commaList(securityGroupIdOrName, "security group ID or Name tag value").transform((v) =>
    [...new Set(v)].sort(),
  ),
  manageBackendSecurityGroupRules: goBool,
  loadBalancerAttributes: attributeMap(LOAD_BALANCER_ATTRIBUTES, "idle_timeout.timeout_seconds=600"),
  targetGroupAttributes: attributeMap(
    TARGET_GROUP_ATTRIBUTES,
    "deregistration_delay.timeout_seconds=30",
  ).check((ctx) => {
    const message = checkTargetGroupAttributes(ctx.value);
    if (message) ctx.issues.push({ code: "custom", input: ctx.value, message });
  }),
  listenerAttributes: attributeMap(LISTENER_ATTRIBUTES, "routing.http.response.server.enabled=false"),
  wafv2AclArn: z
    .string()
    .refine(
      (v) =>
        v === "none" ||
        /^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional\/webacl\/[\w-]{1,128}\/[0-9a-f-]{36}$/.test(v),
      {
        error: (iss) =>
          /^arn:aws[a-z-]*:wafv2:[^:]*:\d{12}:global\//.test(String(iss.input))
            ? "is a global (CloudFront) web ACL: an ALB takes a Regional WAFv2 web ACL of its own region"
            : 'must be a Regional WAFv2 web ACL ARN like arn:aws:wafv2:us-east-1:123456789012:regional/webacl/name/0123abcd-..., or "none" to remove the association',
      },
    ),
  shieldAdvancedProtection: goBool,
  sslRedirect: z
    .string()
    .trim()
    .regex(/^\d{1,5}$/, { error: SSL_REDIRECT_MESSAGE })
    .transform(Number)
    .pipe(z.number().min(1, { error: SSL_REDIRECT_MESSAGE }).max(65535, { error: SSL_REDIRECT_MESSAGE })),
  useRegexPathMatch: z.string().trim().pipe(goBool),
  externalDnsTtl: ttlSchema,
} as const;
