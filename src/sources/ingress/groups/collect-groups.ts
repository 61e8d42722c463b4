// Ingress front end: from everything Kubernetes holds to the list of groups to reconcile. Pure.
//
// A group's live members are the accepted Ingresses whose current group it is. Its leaving members
// are Ingresses whose finalizer still names it although they are deleted, moved to another group or
// no longer of Gannet's class: the group drops their rules, then releases their finalizer.

import type { GroupKey, Problem } from "../../../model/desired.ts";
import type { ConfigMap, Ingress, IngressClass } from "../../../model/kube-objects.ts";
import { compareStrings, objectKey } from "../../../model/problems.ts";
import { groupsOfFinalizers } from "./finalizers.ts";
import { GANNET_CONTROLLER, selectIngresses } from "./ingress-class.ts";
import { groupIngresses } from "./ingress-groups.ts";
import { type Admission, admitMembers, type JoinPolicy, readJoinPolicy } from "./join-policy.ts";

/** One group to reconcile. */
export interface GroupMembers {
  readonly group: GroupKey;
  /** Accepted, not deleted, in group order. */
  readonly members: readonly Ingress[];
  /** Ingresses whose finalizer for this group must be released once AWS no longer serves them. */
  readonly leaving: readonly Ingress[];
  /** Problems of the join policy (members refused, or a policy that cannot be read). */
  readonly problems: readonly Problem[];
  /** Ingresses that asked to join but the join policy refuses: they get Warnings, nothing else. */
  readonly refused: readonly Ingress[];
  /** Set when the group must be left unchanged in AWS (its join policy cannot be applied). */
  readonly halt?: string;
}

/** Groups of a snapshot, in key order, including groups whose only Ingresses are leaving. */
export function collectGroups(snapshot: {
  readonly ingresses: readonly Ingress[];
  readonly ingressClasses: readonly IngressClass[];
  /** The ConfigMaps Gannet's IngressClasses name as parameters (join policies). */
  readonly classParameters?: readonly ConfigMap[];
}): GroupMembers[] {
  const { accepted, skipped, classOf } = selectIngresses({
    ingresses: snapshot.ingresses,
    ingressClasses: snapshot.ingressClasses,
    controller: GANNET_CONTROLLER,
  });
  const live = accepted.filter((i) => !i.metadata.deletionTimestamp);
  const policies = new Map<string, JoinPolicy>();
  const policyOf = (ingress: Ingress): JoinPolicy => {
    const name = classOf.get(objectKey(ingress)) ?? "";
    let policy = policies.get(name);
    if (!policy) {
      const ingressClass = snapshot.ingressClasses.find((c) => c.metadata.name === name);
      policy = readJoinPolicy(ingressClass, snapshot.classParameters ?? []);
      policies.set(name, policy);
    }
    return policy;
  };
  const grouped = new Map<
    GroupKey,
    { members: readonly Ingress[]; admission: Admission; problems: Problem[] }
  >();
  for (const [key, g] of groupIngresses(live)) {
    const admission = admitMembers(key, g.members, policyOf);
    grouped.set(key, {
      members: admission.admitted,
      admission,
      problems: [...admission.problems],
    });
  }
  const current = new Map<string, GroupKey>();
  for (const [key, g] of grouped) for (const m of g.members) current.set(objectKey(m), key);

  const unsure = new Set(skipped.filter((s) => !s.released).map((s) => s.ingress));
  const leaving = new Map<GroupKey, Ingress[]>();
  // A group one of whose Ingresses Gannet cannot place (its IngressClass is missing or ambiguous) is
  // frozen: reconciling it would tear down what that Ingress still serves.
  const frozen = new Set<GroupKey>();
  for (const ingress of snapshot.ingresses) {
    for (const group of groupsOfFinalizers(ingress)) {
      if (current.get(objectKey(ingress)) === group) continue;
      if (!ingress.metadata.deletionTimestamp && unsure.has(objectKey(ingress))) frozen.add(group);
      else leaving.set(group, [...(leaving.get(group) ?? []), ingress]);
    }
  }
  const keys = [...new Set([...grouped.keys(), ...leaving.keys()])]
    .filter((k) => !frozen.has(k))
    .sort(compareStrings);
  return keys.map((group) => {
    const g = grouped.get(group);
    const halt = g?.admission.halt;
    return {
      group,
      members: g?.members ?? [],
      leaving: leaving.get(group) ?? [],
      problems: g?.problems ?? [],
      refused: g?.admission.refused ?? [],
      ...(halt !== undefined ? { halt } : {}),
    };
  });
}
