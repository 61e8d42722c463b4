// Model stage: JSON annotation values read the way AWS Load Balancer Controller reads them (Go's
// encoding/json): object keys match the schema's names case-insensitively (`TargetGroupStickinessConfig`
// is `targetGroupStickinessConfig`). Unlike Go, keys that mean nothing are reported, never dropped in
// silence. The zod schema then checks the value; its first issue names the JSON path inside the value.

import type { z } from "zod";

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
