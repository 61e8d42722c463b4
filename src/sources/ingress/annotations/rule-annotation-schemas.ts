// Model stage: shared parts of the zod schemas of the JSON annotations `actions.<name>`,
// `conditions.<name>` and `transforms.<name>` (action-schema.ts, condition-schema.ts,
// transform-schema.ts), in AWS Load Balancer Controller's format (pkg/ingress/config_types.go),
// checked against what the ELBv2 API accepts so that a bad value is a Problem, not a failed AWS call.
// Keys are matched case-insensitively before the schemas run (json-annotation.ts).

import { z } from "zod";

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

/** A required string; `what` says what it holds. */
export const text = (what: string) =>
  z.string({
    error: (iss) => (iss.input === undefined ? `is required: ${what}` : `must be a string: ${what}`),
  });

/** An optional string. */
export const optionalText = (what: string) => z.string({ error: `must be a string: ${what}` }).optional();

/** A JSON array of `item`. */
export function list<T extends z.ZodType>(item: T, what: string) {
  return z.array(item, {
    error: (iss) => (iss.input === undefined ? `is required: ${what}` : `must be a JSON array: ${what}`),
  });
}

/** `o` without its undefined properties (the model's optional fields are absent, never undefined). */
export function defined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
