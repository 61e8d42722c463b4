// Runtime: what a Lambda invocation asks for, read from its event at the edge.
//
// Three shapes, by what sends them:
//   - an EventBridge event (a schedule rule or EventBridge Scheduler; `detail-type` and `source` set):
//     reconcile the groups that changed, cheaply (groups whose ALB fingerprint matches are not read);
//   - the same with `"detail": {"resync": true}`, or the constant input `{"resync": true}` of a second,
//     slower schedule: the periodic full resync, every group's AWS state read and repaired;
//   - an on-demand invocation `{"groups": ["shop", "team-a/web"]}`: those groups, read in full.
// `watchSeconds` in a direct input overrides GANNET_WATCH_SECONDS for that invocation.

import { z } from "zod";

/** What one invocation does. */
export interface LambdaRequest {
  /** changed: every group, fingerprint fast path; resync: every group read in full; groups: the named ones. */
  readonly mode: "changed" | "resync" | "groups";
  readonly groups?: readonly string[];
  readonly watchSeconds?: number;
}

const GROUP_KEY = /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\/)?[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

const eventBridge = z.looseObject({
  "detail-type": z.string(),
  source: z.string(),
  detail: z.looseObject({ resync: z.boolean({ error: "must be true or false" }).optional() }).optional(),
});

const direct = z.strictObject({
  resync: z.boolean({ error: "must be true or false" }).optional(),
  groups: z
    .array(
      z.string().regex(GROUP_KEY, {
        error: 'must be a group key: a group.name ("shop") or <namespace>/<name> of a lone Ingress',
      }),
      { error: "must be a list of group keys" },
    )
    .min(1, { error: "must name at least one group (leave it out to reconcile every group)" })
    .max(500, { error: "must name at most 500 groups" })
    .optional(),
  watchSeconds: z
    .number({ error: "must be a number of seconds" })
    .int({ error: "must be a whole number of seconds" })
    .min(0, { error: "must be at least 0" })
    .max(840, { error: "must be at most 840" })
    .optional(),
});

/** The request, or what is wrong with the event (field, value received, fix). */
export type ParsedEvent =
  | { readonly ok: true; readonly request: LambdaRequest }
  | { readonly ok: false; readonly errors: readonly string[] };

/** Reads an invocation's event. Never throws: a bad event becomes errors the summary reports. */
export function parseLambdaEvent(event: unknown): ParsedEvent {
  const input = event ?? {};
  if (typeof input === "object" && input !== null && "detail-type" in input) {
    const parsed = eventBridge.safeParse(input);
    if (!parsed.success) return { ok: false, errors: describeIssues(parsed.error, input) };
    return { ok: true, request: { mode: parsed.data.detail?.resync ? "resync" : "changed" } };
  }
  const parsed = direct.safeParse(input);
  if (!parsed.success) return { ok: false, errors: describeIssues(parsed.error, input) };
  const { groups, resync, watchSeconds } = parsed.data;
  const mode = groups ? "groups" : resync ? "resync" : "changed";
  return {
    ok: true,
    request: {
      mode,
      ...(groups ? { groups: [...new Set(groups)] } : {}),
      ...(watchSeconds !== undefined ? { watchSeconds } : {}),
    },
  };
}

function describeIssues(error: z.ZodError, input: unknown): string[] {
  return error.issues.map((issue) => {
    if (issue.code === "unrecognized_keys") {
      return `event: unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}: an on-demand event takes only "groups", "resync" and "watchSeconds"`;
    }
    if (issue.path.length === 0) {
      return `event: must be a JSON object such as {"groups": ["shop"]} or an EventBridge event; got ${JSON.stringify(input)}`;
    }
    const field = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
    return `event${field}: ${issue.message}; got ${JSON.stringify(valueAt(input, issue.path))}`;
  });
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const p of path)
    v = typeof v === "object" && v !== null ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}
