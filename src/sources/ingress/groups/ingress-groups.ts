// Ingress front end: Ingress groups. One group = one ALB = one reconcile unit.
// An Ingress with a valid `group.name` joins that explicit group; otherwise it is its own implicit group,
// keyed `<namespace>/<name>`. An invalid `group.name` or `group.order` keeps the Ingress in its own implicit
// group with a Problem, so a typo never blocks (nor joins) a shared group; building that group then halts.

import type { GroupKey, Problem } from "../../../model/desired.ts";
import type { Ingress } from "../../../model/kube-objects.ts";
import { compareStrings, objectKey } from "../../../model/problems.ts";
import { readGroupAnnotations } from "../annotations/annotations.ts";

/** One Ingress group: its members in group order and the problems found placing them. */
export interface IngressGroup {
  readonly key: GroupKey;
  readonly members: readonly Ingress[];
  readonly problems: readonly Problem[];
}

/** The key of the group `ingress` belongs to: its valid `group.name`, else `<namespace>/<name>`. */
export function groupKeyOf(ingress: Ingress): GroupKey {
  const group = readGroupAnnotations(ingress);
  return group.name !== undefined && group.problems.length === 0 ? group.name : objectKey(ingress);
}

/** The order of `ingress` within its group (`group.order`, default 0; 0 when invalid). */
export function groupOrderOf(ingress: Ingress): number {
  return readGroupAnnotations(ingress).order;
}

/** Sorts Ingresses into group order: `group.order` ascending, then namespace/name. */
export function sortGroupMembers(members: readonly Ingress[]): Ingress[] {
  return members
    .map((ingress) => ({ ingress, order: groupOrderOf(ingress), key: objectKey(ingress) }))
    .sort((a, b) => a.order - b.order || compareStrings(a.key, b.key))
    .map((m) => m.ingress);
}

/**
 * Orders Ingresses by seniority: the older (`creationTimestamp`) first, then namespace/name. Seniority,
 * not group order, decides conflicts within a group (two claims on one host and path, two default
 * backends, disagreeing listener settings): a newer Ingress can never take over what an older one serves.
 */
export function compareSeniority(a: Ingress, b: Ingress): number {
  // RFC 3339 in UTC, as the API server writes it, orders as a string; an unset time counts as newest.
  const ta = a.metadata.creationTimestamp ?? "~";
  const tb = b.metadata.creationTimestamp ?? "~";
  return compareStrings(ta, tb) || compareStrings(objectKey(a), objectKey(b));
}

/** Ingresses sorted by seniority (see `compareSeniority`). */
export function sortBySeniority(members: readonly Ingress[]): Ingress[] {
  return [...members].sort(compareSeniority);
}

/** Groups accepted Ingresses by GroupKey, groups in key order, members in group order. */
export function groupIngresses(accepted: readonly Ingress[]): ReadonlyMap<GroupKey, IngressGroup> {
  const byKey = new Map<GroupKey, { members: Ingress[]; problems: Problem[] }>();
  for (const ingress of accepted) {
    const key = groupKeyOf(ingress);
    const group = byKey.get(key) ?? { members: [], problems: [] };
    group.members.push(ingress);
    group.problems.push(...readGroupAnnotations(ingress).problems);
    byKey.set(key, group);
  }
  const keys = [...byKey.keys()].sort(compareStrings);
  return new Map(
    keys.map((key) => {
      const group = byKey.get(key) ?? { members: [], problems: [] };
      return [key, { key, members: sortGroupMembers(group.members), problems: group.problems }];
    }),
  );
}
