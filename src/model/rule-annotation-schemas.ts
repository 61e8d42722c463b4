// Model stage: zod schemas of the JSON annotations `actions.<name>`, `conditions.<name>` and
// `transforms.<name>`, in AWS Load Balancer Controller's format (pkg/ingress/config_types.go), checked
// against what the ELBv2 API accepts so that a bad value is a Problem here, not a failed AWS call.
// Keys are matched case-insensitively before these run (json-annotation.ts).

import { z } from "zod";
import { checkAlbRegex, MAX_CONDITION_REGEX_LENGTH, MAX_TRANSFORM_REGEX_LENGTH } from "./alb-regex.ts";
import { cidrSchema } from "./annotation-values.ts";
import type { RuleCondition, RuleTransform } from "./desired.ts";

/** Every key of the three formats, in the spelling AWS LBC documents (matched case-insensitively). */
export const RULE_ANNOTATION_KEYS = [
  "type",
  "targetGroupARN",
  "targetGroupName",
  "fixedResponseConfig",
  "contentType",
  "messageBody",
  "statusCode",
  "redirectConfig",
  "host",
  "path",
  "port",
  "protocol",
  "query",
  "forwardConfig",
  "targetGroups",
  "serviceName",
  "servicePort",
  "weight",
  "targetGroupStickinessConfig",
  "enabled",
  "durationSeconds",
  "field",
  "hostHeaderConfig",
  "httpHeaderConfig",
  "httpHeaderName",
  "httpRequestMethodConfig",
  "pathPatternConfig",
  "queryStringConfig",
  "sourceIpConfig",
  "values",
  "regexValues",
  "key",
  "value",
  "hostHeaderRewriteConfig",
  "urlRewriteConfig",
  "rewrites",
  "regex",
  "replace",
] as const;

const text = (what: string) =>
  z.string({
    error: (iss) => (iss.input === undefined ? `is required: ${what}` : `must be a string: ${what}`),
  });

const optionalText = (what: string) => z.string({ error: `must be a string: ${what}` }).optional();

function list<T extends z.ZodType>(item: T, what: string) {
  return z.array(item, {
    error: (iss) => (iss.input === undefined ? `is required: ${what}` : `must be a JSON array: ${what}`),
  });
}

// --- actions ------------------------------------------------------------------------------------

const CONTENT_TYPES = [
  "text/plain",
  "text/css",
  "text/html",
  "application/javascript",
  "application/json",
] as const;

const fixedResponseConfig = z.object({
  statusCode: text('an HTTP status code as a string, like "503"').regex(/^[245]\d\d$/, {
    error: 'must be a 2XX, 4XX or 5XX HTTP status code written as a string, like "503"',
  }),
  contentType: z.enum(CONTENT_TYPES, { error: `must be one of ${CONTENT_TYPES.join(", ")}` }).optional(),
  messageBody: optionalText("the response body").refine((v) => v === undefined || v.length <= 1024, {
    error: "must be at most 1,024 characters",
  }),
});

const redirectConfig = z.object({
  statusCode: z.enum(["HTTP_301", "HTTP_302"], {
    error: (iss) => `${iss.input === undefined ? "is required:" : "must be"} "HTTP_301" or "HTTP_302"`,
  }),
  protocol: optionalText('"HTTP", "HTTPS" or "#{protocol}"').refine(
    (v) => v === undefined || ["HTTP", "HTTPS", "#{protocol}"].includes(v),
    { error: 'must be "HTTP", "HTTPS" or "#{protocol}"' },
  ),
  port: optionalText('a port like "443", or "#{port}"').refine(
    (v) => v === undefined || v === "#{port}" || (/^[1-9]\d{0,4}$/.test(v) && Number(v) <= 65535),
    { error: 'must be a port from "1" to "65535" (a string), or "#{port}"' },
  ),
  host: optionalText('a host name, or "#{host}"').refine(
    (v) => v === undefined || (v.length >= 1 && v.length <= 128),
    { error: "must be 1 to 128 characters" },
  ),
  path: optionalText('a path beginning with "/", like "/#{path}"').refine(
    (v) => v === undefined || (v.startsWith("/") && v.length <= 128),
    { error: 'must begin with "/" and be at most 128 characters, like "/new/#{path}"' },
  ),
  query: optionalText('a query without the leading "?", like "#{query}"').refine(
    (v) => v === undefined || (!v.startsWith("?") && v.length <= 128),
    { error: 'must be at most 128 characters, without the leading "?"' },
  ),
});

const TARGET_GROUP_ARN =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]+$/;

const targetGroupArn = z.string({ error: "must be a target group ARN (a string)" }).regex(TARGET_GROUP_ARN, {
  error:
    "must be a target group ARN like arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/name/0123456789abcdef",
});

const weight = z
  .number({ error: "must be a whole number from 0 to 999" })
  .int({ error: "must be a whole number from 0 to 999" })
  .min(0, { error: "must be a whole number from 0 to 999" })
  .max(999, { error: "must be a whole number from 0 to 999" })
  .optional();

/** A Service port as AWS LBC reads it: a number, or a string holding a number or a port name. */
const servicePort = z
  .union([z.number().int().min(1).max(65535), z.string().min(1)], {
    error: 'must be the Service port number (80 or "80") or its name ("http")',
  })
  .transform((p) => (typeof p === "string" && /^\d+$/.test(p) ? Number(p) : p));

const targetGroupTuple = z
  .object({
    targetGroupARN: targetGroupArn.optional(),
    targetGroupName: optionalText("a target group name"),
    serviceName: optionalText("the name of a Service in the Ingress's namespace"),
    servicePort: servicePort.optional(),
    weight,
  })
  .check((ctx) => {
    const t = ctx.value;
    const byArn = t.targetGroupARN !== undefined || t.targetGroupName !== undefined;
    const fail = (message: string, path: string[] = []) =>
      ctx.issues.push({ code: "custom", input: t, message, path });
    if (t.targetGroupName !== undefined) {
      fail(
        "is not supported by Gannet: name the target group by targetGroupARN, or forward to a Service with serviceName and servicePort",
        ["targetGroupName"],
      );
    } else if (!byArn && t.serviceName === undefined) {
      fail("needs serviceName and servicePort, or targetGroupARN");
    } else if (byArn && t.serviceName !== undefined) {
      fail("must name either serviceName or targetGroupARN, not both");
    } else if (t.serviceName !== undefined && t.servicePort === undefined) {
      fail("is required with serviceName: the Service port number or name", ["servicePort"]);
    }
  });

const stickiness = z
  .object({
    enabled: z.boolean({ error: "must be true or false" }).optional(),
    durationSeconds: z
      .number({ error: "must be a whole number of seconds from 1 to 604800" })
      .int({ error: "must be a whole number of seconds from 1 to 604800" })
      .min(1, { error: "must be a whole number of seconds from 1 to 604800" })
      .max(604800, { error: "must be a whole number of seconds from 1 to 604800" })
      .optional(),
  })
  .check((ctx) => {
    if (ctx.value.enabled === true && ctx.value.durationSeconds === undefined) {
      ctx.issues.push({
        code: "custom",
        input: ctx.value,
        path: ["durationSeconds"],
        message: "is required when stickiness is enabled: seconds from 1 to 604800",
      });
    }
  });

const forwardConfig = z
  .object({
    targetGroups: list(targetGroupTuple, "the target groups to forward to")
      .min(1, { error: "must list at least one target group" })
      .max(5, { error: "must list at most 5 target groups (the ALB quota per action)" }),
    targetGroupStickinessConfig: stickiness.optional(),
  })
  .check((ctx) => {
    const groups = ctx.value.targetGroups;
    if (groups.length < 2) return;
    groups.forEach((g, i) => {
      if (g.weight === undefined) {
        ctx.issues.push({
          code: "custom",
          input: g,
          path: ["targetGroups", i, "weight"],
          message: "is required when forwarding to several target groups: a whole number from 0 to 999",
        });
      }
    });
  });

/** A forward target: a Service port of the Ingress's namespace, or a target group by ARN. */
export type ForwardMember =
  | { readonly serviceName: string; readonly servicePort: number | string; readonly weight?: number }
  | { readonly targetGroupArn: string; readonly weight?: number };

/** An `actions.<name>` value, normalized (AWS LBC's simplified forward schema becomes forwardConfig). */
export type ActionAnnotation =
  | {
      readonly type: "fixed-response";
      readonly statusCode: string;
      readonly contentType?: string;
      readonly messageBody?: string;
    }
  | {
      readonly type: "redirect";
      readonly statusCode: "HTTP_301" | "HTTP_302";
      readonly protocol?: string;
      readonly port?: string;
      readonly host?: string;
      readonly path?: string;
      readonly query?: string;
    }
  | {
      readonly type: "forward";
      readonly members: readonly ForwardMember[];
      readonly stickiness?: { readonly enabled: boolean; readonly durationSeconds: number };
    };

const ACTION_TYPES = ["fixed-response", "redirect", "forward"] as const;

/** `o` without its undefined properties (the model's optional fields are absent, never undefined). */
function defined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}

/** Schema of an `actions.<name>` annotation value. */
export const actionSchema = z
  .object(
    {
      type: z.enum(ACTION_TYPES, {
        error: (iss) =>
          `${iss.input === undefined ? "is required" : `${JSON.stringify(iss.input)} is not an action type`}: use "fixed-response", "redirect" or "forward"`,
      }),
      targetGroupARN: targetGroupArn.optional(),
      targetGroupName: optionalText("a target group name"),
      fixedResponseConfig: fixedResponseConfig.optional(),
      redirectConfig: redirectConfig.optional(),
      forwardConfig: forwardConfig.optional(),
    },
    {
      error:
        'must be a JSON object like {"type":"fixed-response","fixedResponseConfig":{"statusCode":"503"}}',
    },
  )
  .transform((a, ctx): ActionAnnotation => {
    const fail = (message: string, path: string[] = []) => {
      ctx.addIssue({ code: "custom", message, path });
      return z.NEVER;
    };
    if (a.type === "fixed-response") {
      if (!a.fixedResponseConfig)
        return fail("is required for a fixed-response action", ["fixedResponseConfig"]);
      return defined({ type: a.type, ...a.fixedResponseConfig });
    }
    if (a.type === "redirect") {
      if (!a.redirectConfig) return fail("is required for a redirect action", ["redirectConfig"]);
      return defined({ type: a.type, ...a.redirectConfig });
    }
    if (a.targetGroupName !== undefined) {
      return fail("is not supported by Gannet: use targetGroupARN", ["targetGroupName"]);
    }
    if (a.targetGroupARN !== undefined && a.forwardConfig) {
      return fail("must be given alone: use either targetGroupARN or forwardConfig", ["targetGroupARN"]);
    }
    if (a.targetGroupARN !== undefined)
      return { type: "forward", members: [{ targetGroupArn: a.targetGroupARN }] };
    if (!a.forwardConfig)
      return fail("is required for a forward action (or targetGroupARN)", ["forwardConfig"]);
    const members = a.forwardConfig.targetGroups.map(
      (t): ForwardMember =>
        t.targetGroupARN !== undefined
          ? defined({ targetGroupArn: t.targetGroupARN, weight: t.weight })
          : defined({ serviceName: t.serviceName ?? "", servicePort: t.servicePort ?? "", weight: t.weight }),
    );
    const sticky = a.forwardConfig.targetGroupStickinessConfig;
    return sticky?.enabled
      ? {
          type: "forward",
          members,
          stickiness: { enabled: true, durationSeconds: sticky.durationSeconds ?? 1 },
        }
      : { type: "forward", members };
  });

// --- conditions ---------------------------------------------------------------------------------

const conditionRegex = z.string({ error: "must be a string: a regular expression" }).check((ctx) => {
  const why = checkAlbRegex(ctx.value, MAX_CONDITION_REGEX_LENGTH);
  if (why) ctx.issues.push({ code: "custom", input: ctx.value, message: why });
});

function globValue(pattern: RegExp, allowed: string) {
  return z
    .string({ error: "must be a string" })
    .min(1, { error: "must not be empty" })
    .max(128, { error: "must be at most 128 characters" })
    .regex(pattern, { error: `may hold only ${allowed}` });
}

const HOST_GLOB = globValue(
  /^[A-Za-z0-9\-._*?]+$/,
  "letters, digits, '-', '.', '_' and the wildcards * and ?",
);
const PATH_GLOB = globValue(
  /^[A-Za-z0-9_\-.$/~"'@:+&*?]+$/,
  `letters, digits, _-.$/~"'@:+& and the wildcards * and ?`,
);
const HEADER_GLOB = globValue(/^[^\r\n]+$/, "one line of text and the wildcards * and ?");

/** `values` (globs) and `regexValues` (regexes) of a condition config: exactly one of them is set. */
function valuesShape(glob: z.ZodType<string>) {
  return {
    values: list(glob, "the values to match").optional(),
    regexValues: list(conditionRegex, "regular expressions").optional(),
  };
}

function exactlyOneOfValues(ctx: {
  value: { values?: readonly string[] | undefined; regexValues?: readonly string[] | undefined };
  issues: z.core.$ZodRawIssue[];
}): void {
  const n = ctx.value.values?.length ?? 0;
  const r = ctx.value.regexValues?.length ?? 0;
  if ((n === 0) === (r === 0)) {
    ctx.issues.push({
      code: "custom",
      input: ctx.value,
      message:
        "must set exactly one of values (ALB wildcards) and regexValues (regular expressions), not empty",
    });
  }
}

const hostHeaderConfig = z.object(valuesShape(HOST_GLOB)).check(exactlyOneOfValues);
const pathPatternConfig = z.object(valuesShape(PATH_GLOB)).check(exactlyOneOfValues);
const httpHeaderConfig = z
  .object({
    httpHeaderName: text("the header name, like X-Canary")
      .regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,40}$/, {
        error: "must be an HTTP header name of 1 to 40 letters, digits and !#$%&'*+-.^_`|~",
      })
      .refine((v) => v.toLowerCase() !== "host", { error: "must not be Host: use a host-header condition" }),
    ...valuesShape(HEADER_GLOB),
  })
  .check(exactlyOneOfValues);
const methodConfig = z.object({
  values: list(
    z.string({ error: "must be a string" }).regex(/^[A-Z_-]{1,40}$/, {
      error: "must be an HTTP method of 1 to 40 capital letters, '-' and '_', like GET",
    }),
    "HTTP methods like GET",
  ).min(1, { error: "must list at least one method" }),
});
const queryStringConfig = z.object({
  values: list(
    z.object({
      key: z
        .string({ error: "must be a string" })
        .min(1)
        .max(128, { error: "must be at most 128 characters" })
        .optional(),
      value: text("the value to find").min(1, { error: "must not be empty" }).max(128, {
        error: "must be at most 128 characters",
      }),
    }),
    'key/value pairs like [{"key":"version","value":"v2"}]',
  ).min(1, { error: "must list at least one key/value pair" }),
});
const sourceIpConfig = z.object({
  values: list(cidrSchema, "CIDRs like 10.0.0.0/8").min(1, { error: "must list at least one CIDR" }),
});

const CONDITION_FIELDS = [
  "host-header",
  "path-pattern",
  "http-header",
  "http-request-method",
  "query-string",
  "source-ip",
] as const;

const regexOrValues = (c: { values?: string[] | undefined; regexValues?: string[] | undefined }) =>
  c.regexValues?.length ? { values: [], regexValues: c.regexValues } : { values: c.values ?? [] };

const condition = z
  .object(
    {
      field: z.enum(CONDITION_FIELDS, {
        error: (iss) =>
          `${iss.input === undefined ? "is required" : `${JSON.stringify(iss.input)} is not a condition field`}: use ${CONDITION_FIELDS.join(", ")}`,
      }),
      hostHeaderConfig: hostHeaderConfig.optional(),
      pathPatternConfig: pathPatternConfig.optional(),
      httpHeaderConfig: httpHeaderConfig.optional(),
      httpRequestMethodConfig: methodConfig.optional(),
      queryStringConfig: queryStringConfig.optional(),
      sourceIpConfig: sourceIpConfig.optional(),
    },
    { error: 'must be a JSON object like {"field":"http-header","httpHeaderConfig":{...}}' },
  )
  .transform((c, ctx): RuleCondition => {
    const missing = (config: string) => {
      ctx.addIssue({ code: "custom", path: [config], message: `is required for a ${c.field} condition` });
      return z.NEVER;
    };
    switch (c.field) {
      case "host-header":
        return c.hostHeaderConfig
          ? { field: c.field, ...regexOrValues(c.hostHeaderConfig) }
          : missing("hostHeaderConfig");
      case "path-pattern":
        return c.pathPatternConfig
          ? { field: c.field, ...regexOrValues(c.pathPatternConfig) }
          : missing("pathPatternConfig");
      case "http-header":
        return c.httpHeaderConfig
          ? {
              field: c.field,
              headerName: c.httpHeaderConfig.httpHeaderName,
              ...regexOrValues(c.httpHeaderConfig),
            }
          : missing("httpHeaderConfig");
      case "http-request-method":
        return c.httpRequestMethodConfig
          ? { field: c.field, values: c.httpRequestMethodConfig.values }
          : missing("httpRequestMethodConfig");
      case "query-string":
        return c.queryStringConfig
          ? { field: c.field, values: c.queryStringConfig.values.map((v) => defined(v)) }
          : missing("queryStringConfig");
      case "source-ip":
        return c.sourceIpConfig
          ? { field: c.field, values: c.sourceIpConfig.values }
          : missing("sourceIpConfig");
    }
  });

/** Schema of a `conditions.<name>` annotation value: a JSON array of conditions. */
export const conditionsSchema = list(
  condition,
  'conditions like [{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X-Canary","values":["on"]}}]',
);

// --- transforms ---------------------------------------------------------------------------------

const transformRegex = (what: string) =>
  text(what).check((ctx) => {
    const why = checkAlbRegex(ctx.value, MAX_TRANSFORM_REGEX_LENGTH);
    if (why) ctx.issues.push({ code: "custom", input: ctx.value, message: why });
  });

const rewriteConfig = z.object({
  rewrites: list(
    z.object({
      regex: transformRegex("the regular expression to match"),
      replace: text("the replacement, like /$1").max(MAX_TRANSFORM_REGEX_LENGTH, {
        error: `must be at most ${MAX_TRANSFORM_REGEX_LENGTH} characters`,
      }),
    }),
    'rewrites like [{"regex":"^/api/(.+)$","replace":"/$1"}]',
  ).min(1, { error: "must list at least one rewrite" }),
});

const TRANSFORM_TYPES = ["url-rewrite", "host-header-rewrite"] as const;

const transform = z
  .object(
    {
      type: z.enum(TRANSFORM_TYPES, {
        error: (iss) =>
          `${iss.input === undefined ? "is required" : `${JSON.stringify(iss.input)} is not a transform type`}: use "url-rewrite" or "host-header-rewrite"`,
      }),
      hostHeaderRewriteConfig: rewriteConfig.optional(),
      urlRewriteConfig: rewriteConfig.optional(),
    },
    { error: 'must be a JSON object like {"type":"url-rewrite","urlRewriteConfig":{"rewrites":[...]}}' },
  )
  .transform((t, ctx): RuleTransform => {
    const config = t.type === "url-rewrite" ? t.urlRewriteConfig : t.hostHeaderRewriteConfig;
    if (!config) {
      const key = t.type === "url-rewrite" ? "urlRewriteConfig" : "hostHeaderRewriteConfig";
      ctx.addIssue({ code: "custom", path: [key], message: `is required for a ${t.type} transform` });
      return z.NEVER;
    }
    return { type: t.type, rewrites: config.rewrites };
  });

/** Schema of a `transforms.<name>` annotation value: a JSON array, at most one transform of each type. */
export const transformsSchema = list(
  transform,
  'transforms like [{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[{"regex":"^/api/(.+)$","replace":"/$1"}]}}]',
).check((ctx) => {
  const seen = new Set<string>();
  ctx.value.forEach((t, i) => {
    if (seen.has(t.type)) {
      ctx.issues.push({
        code: "custom",
        input: t,
        path: [i, "type"],
        message: `repeats ${t.type}: a rule takes at most one url-rewrite and one host-header-rewrite`,
      });
    }
    seen.add(t.type);
  });
});
