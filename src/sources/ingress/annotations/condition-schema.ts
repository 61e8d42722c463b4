// Model stage: the zod schema of `conditions.<name>` (AWS LBC's format): host-header, path-pattern,
// http-header (values or regexValues), http-request-method, query-string and source-ip conditions,
// each value checked against the ELBv2 API's limits.

import { z } from "zod";
import type { RuleCondition } from "../../../model/desired.ts";
import { checkAlbRegex, MAX_CONDITION_REGEX_LENGTH } from "../../../model/listeners/alb-regex.ts";
import { cidrSchema } from "./annotation-values.ts";
import { defined, list, text } from "./json-annotation.ts";

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
