// Plan stage: canonical forms of conditions and actions, so desired and observed compare by meaning.

import type { RuleAction, RuleCondition, RuleTransform } from "../model/desired.ts";
import type { ObservedAction } from "../types/alb.ts";

/** Maps a target group key to the ARN it has now, if it exists. */
export type ArnOfKey = (key: string) => string | undefined;

function sortedValues<T>(values: readonly T[]): T[] {
  return [...values].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/**
 * A canonical string for a rule's conditions: fields sorted, values sorted, host globs lowercased.
 * Regex values compare as written (a regex's case is part of its meaning).
 */
export function canonicalConditions(conditions: readonly RuleCondition[]): string {
  const parts = conditions.map((c) => {
    const values: readonly unknown[] =
      c.field === "host-header" ? c.values.map((v) => v.toLowerCase()) : c.values;
    const regex = "regexValues" in c && c.regexValues?.length ? { regex: sortedValues(c.regexValues) } : {};
    return c.field === "http-header"
      ? { field: c.field, name: c.headerName.toLowerCase(), values: sortedValues(values), ...regex }
      : { field: c.field, values: sortedValues(values), ...regex };
  });
  return JSON.stringify(parts.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))));
}

/** A canonical string for a rule's transforms (order of types does not matter; rewrites keep theirs). */
export function canonicalTransforms(transforms: readonly RuleTransform[] | undefined): string {
  const parts = (transforms ?? []).map((t) => ({
    type: t.type,
    rewrites: t.rewrites.map((r) => ({ regex: r.regex, replace: r.replace })),
  }));
  return JSON.stringify(parts.sort((a, b) => a.type.localeCompare(b.type)));
}

/** Turns a desired action into the form AWS holds, with target group keys resolved to ARNs. */
export function toObservedAction(action: RuleAction, arnOf: ArnOfKey): ObservedAction {
  if (action.type !== "forward") return action;
  return {
    type: "forward",
    targetGroups: action.targetGroups.map((t) => ({
      targetGroupArn:
        "targetGroupArn" in t ? t.targetGroupArn : (arnOf(t.targetGroup) ?? `pending:${t.targetGroup}`),
      weight: t.weight,
    })),
    ...(action.stickiness ? { stickiness: action.stickiness } : {}),
  };
}

function canonicalAction(a: ObservedAction): unknown {
  switch (a.type) {
    case "forward":
      return {
        type: a.type,
        targetGroups: sortedValues(
          a.targetGroups.map((t) => ({
            arn: t.targetGroupArn,
            weight: a.targetGroups.length === 1 ? 1 : t.weight,
          })),
        ),
        sticky: a.stickiness?.enabled ? a.stickiness.durationSeconds : 0,
      };
    case "fixed-response":
      return {
        type: a.type,
        statusCode: a.statusCode,
        contentType: a.contentType ?? "text/plain",
        body: a.messageBody ?? "",
      };
    case "redirect":
      return {
        type: a.type,
        statusCode: a.statusCode,
        protocol: a.protocol ?? "#{protocol}",
        port: a.port ?? "#{port}",
        host: a.host ?? "#{host}",
        path: a.path ?? "/#{path}",
        query: a.query ?? "#{query}",
      };
  }
}

/** A canonical string for a list of actions as AWS holds them. */
export function canonicalActions(actions: readonly ObservedAction[]): string {
  return JSON.stringify(actions.map(canonicalAction));
}

/** True when desired actions (by key) equal observed actions (by ARN). */
export function actionsEqual(
  desired: readonly RuleAction[],
  observed: readonly ObservedAction[],
  arnOf: ArnOfKey,
): boolean {
  return canonicalActions(desired.map((a) => toObservedAction(a, arnOf))) === canonicalActions(observed);
}
