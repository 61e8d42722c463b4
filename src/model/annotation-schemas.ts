// Model stage: zod schemas for the values of the `alb.ingress.kubernetes.io/*` annotations.
// Each schema takes the raw annotation string and yields a typed value; its error message says what
// is wrong and what to write instead. `parseAnnotationValue` adds the value received.

import { z } from "zod";
import { truncateValue } from "./problems.ts";

/** A listener port and protocol from `listen-ports`. */
export interface ListenPort {
  readonly protocol: "HTTP" | "HTTPS";
  readonly port: number;
}

/** The outcome of parsing one annotation value. */
export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly message: string };

/** Parses `raw` with `schema`; on failure the message ends with the value received. */
export function parseAnnotationValue<T>(schema: z.ZodType<T>, raw: string): ParseResult<T> {
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, value: result.data };
  const message = result.error.issues[0]?.message ?? "is invalid";
  return { ok: false, message: `${message}; got ${JSON.stringify(truncateValue(raw))}` };
}

function quoteList(values: readonly string[]): string {
  const quoted = values.map((v) => JSON.stringify(v));
  return quoted.length <= 2 ? quoted.join(" or ") : `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}`;
}

/** One of the given words, exactly as written (AWS LBC is case-sensitive too). */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: () => `must be ${quoteList(values)}` });
}

/** A whole number written in decimal, within [min, max]. */
export function intInRange(min: number, max: number) {
  const message = `must be a whole number from ${min} to ${max}`;
  return z
    .string()
    .trim()
    .regex(/^[+-]?\d{1,9}$/, { error: message })
    .transform(Number)
    .pipe(z.number().min(min, { error: message }).max(max, { error: message }));
}

/** A comma-separated list: items trimmed, empty items dropped, at least one item. */
export function commaList<T>(item: z.ZodType<T, string>, what: string) {
  return z
    .string()
    .transform((s) =>
      s
        .split(",")
        .map((v) => v.trim())
        .filter((v) => v !== ""),
    )
    .pipe(z.array(item).min(1, { error: `must list at least one ${what}, separated by commas` }));
}

const ipv4Cidr = z.cidrv4();
const ipv6Cidr = z.cidrv6();

/** True when an IPv4 CIDR has no bits set beyond its prefix (`10.0.0.0/8`, not `10.0.0.1/8`). */
function isIpv4Network(cidr: string): boolean {
  const [address = "", bits = "0"] = cidr.split("/");
  const value = address.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
  return value % 2 ** (32 - Number(bits)) === 0;
}

/** One IPv4 or IPv6 CIDR; IPv4 CIDRs must be network addresses, as security group rules store them. */
export const cidrSchema = z.string().check((ctx) => {
  const cidr = ctx.value;
  if (ipv6Cidr.safeParse(cidr).success) return;
  if (!ipv4Cidr.safeParse(cidr).success) {
    ctx.issues.push({
      code: "custom",
      input: cidr,
      message: `${JSON.stringify(cidr)} is not an IPv4 or IPv6 CIDR like 10.0.0.0/8 or ::/0`,
    });
  } else if (!isIpv4Network(cidr)) {
    ctx.issues.push({
      code: "custom",
      input: cidr,
      message: `${JSON.stringify(cidr)} has host bits set: write its network address`,
    });
  }
});

const subnetIdOrName = z
  .string()
  .max(256, { error: "a subnet Name tag value has at most 256 characters" })
  .refine((v) => !v.startsWith("subnet-") || /^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/.test(v), {
    error: (iss) => `${JSON.stringify(iss.input)} is not a subnet ID like subnet-0123456789abcdef0`,
  });

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
  if (eq < 0 || key === "" || key.length > 128 || value.length > 256) {
    ctx.addIssue({
      code: "custom",
      message: `${JSON.stringify(pair)} must be key=value with a key of 1 to 128 and a value of at most 256 characters`,
    });
    return z.NEVER;
  }
  if (key.toLowerCase().startsWith("aws:")) {
    ctx.addIssue({
      code: "custom",
      message: `tag key ${JSON.stringify(key)} uses the "aws:" prefix AWS reserves`,
    });
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
  tags: commaList(tagPair, "key=value pair").transform((pairs) => Object.fromEntries(pairs)),
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
} as const;

/** Health check matcher codes: single codes, comma lists and `a-b` ranges within [min, max]. */
function codeList(min: number, max: number, what: string) {
  return z
    .string()
    .trim()
    .refine(
      (v) =>
        v !== "" &&
        v.split(",").every((part) => {
          const m = /^(\d{1,3})(?:-(\d{1,3}))?$/.exec(part.trim());
          if (!m) return false;
          const lo = Number(m[1]);
          const hi = m[2] === undefined ? lo : Number(m[2]);
          return lo >= min && hi <= max && lo <= hi;
        }),
      { error: `must be ${what}` },
    )
    .transform((v) =>
      v
        .split(",")
        .map((p) => p.trim())
        .join(","),
    );
}
