// Model stage: the JSON annotations `actions.<name>`, `conditions.<name>` and `transforms.<name>`, read
// the way AWS Load Balancer Controller reads them (Go's encoding/json, formats of its
// pkg/ingress/config_types.go): object keys match the schema's names case-insensitively
// (`TargetGroupStickinessConfig` is `targetGroupStickinessConfig`). Unlike Go, keys that mean nothing are
// reported, never dropped in silence. The zod schema (action-schema.ts, condition-schema.ts,
// transform-schema.ts, built from the helpers below) then checks the value against what the ELBv2 API
// accepts, so a bad value is a Problem, not a failed AWS call; its first issue names the JSON path inside
// the value.

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

/** The outcome of reading one JSON annotation value. */
export type JsonRead<T> =
  | {
      readonly ok: true;
      readonly value: T;
      /** JSON paths (like `.forwardConfig.weigth`) of keys the schema does not know; they are ignored. */
      readonly ignored: readonly string[];
    }
  | {
      readonly ok: false;
      /** JSON path inside the value where it went wrong (`.forwardConfig.targetGroups[1].weight`), or "". */
      readonly path: string;
      readonly message: string;
    };

/** `[1].field` style path of a zod issue or a walk. */
export function jsonPath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
}

/** Renames keys to their canonical spelling (case-insensitive match), collecting unknown keys' paths. */
function canonicalize(
  value: unknown,
  names: ReadonlyMap<string, string>,
  path: PropertyKey[],
  ignored: string[],
): unknown {
  if (Array.isArray(value)) return value.map((v, i) => canonicalize(v, names, [...path, i], ignored));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const canonical = names.get(key.toLowerCase());
    if (canonical === undefined) {
      ignored.push(jsonPath([...path, key]));
      continue;
    }
    out[canonical] = canonicalize(v, names, [...path, canonical], ignored);
  }
  return out;
}

/**
 * Parses `raw` as JSON, canonicalizes its keys against `names` (every key any object of the schema
 * has), and checks it with `schema`. `example` is a valid value, quoted when the JSON is malformed.
 */
export function readJsonAnnotation<T>(
  raw: string,
  schema: z.ZodType<T>,
  names: readonly string[],
  example: string,
): JsonRead<T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { ok: false, path: "", message: `is not valid JSON (${reason}): write it like ${example}` };
  }
  const ignored: string[] = [];
  const byLowercase = new Map(names.map((n) => [n.toLowerCase(), n]));
  const canonical = canonicalize(parsed, byLowercase, [], ignored);
  const result = schema.safeParse(canonical);
  if (!result.success) {
    const issue = result.error.issues[0];
    return {
      ok: false,
      path: jsonPath(issue?.path ?? []),
      message: issue?.message ?? "is invalid",
    };
  }
  return { ok: true, value: result.data, ignored };
}
