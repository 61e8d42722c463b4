// Ingress front end: the finalizers that hold an Ingress until its group's AWS resources are cleaned up.
//
// An Ingress of an implicit group carries `gannet.io/resources`; a member of an explicit group
// `shop` carries `group.gannet.io/shop`. The finalizer names the group, so an Ingress that moved to
// another group (or out of Gannet's class) still tells which group must drop its rules.

import type { GroupKey } from "../../../model/desired.ts";
import type { Ingress } from "../../../model/kube-objects.ts";

/** The finalizer of an implicit (single-Ingress) group. */
export const IMPLICIT_GROUP_FINALIZER = "gannet.io/resources";

/** The prefix of an explicit group's finalizer. */
export const EXPLICIT_GROUP_FINALIZER_PREFIX = "group.gannet.io/";

/** True for group keys of implicit groups (`<namespace>/<name>`); explicit group names have no slash. */
export function isImplicitGroup(group: GroupKey): boolean {
  return group.includes("/");
}

/** The finalizer an Ingress carries while it is a member of `group`. */
export function buildGroupFinalizer(group: GroupKey): string {
  return isImplicitGroup(group) ? IMPLICIT_GROUP_FINALIZER : `${EXPLICIT_GROUP_FINALIZER_PREFIX}${group}`;
}

/** The groups an Ingress's Gannet finalizers name. */
export function groupsOfFinalizers(ingress: Ingress): GroupKey[] {
  const out: GroupKey[] = [];
  for (const f of ingress.metadata.finalizers ?? []) {
    if (f === IMPLICIT_GROUP_FINALIZER) out.push(`${ingress.metadata.namespace}/${ingress.metadata.name}`);
    else if (f.startsWith(EXPLICIT_GROUP_FINALIZER_PREFIX))
      out.push(f.slice(EXPLICIT_GROUP_FINALIZER_PREFIX.length));
  }
  return out;
}
