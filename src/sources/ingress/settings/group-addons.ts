// Ingress front end: the group's attributes and WAFv2 web ACL, merged across its members in group order.
// As AWS LBC, members may state different keys; a key stated twice must agree. Unlike AWS LBC, a value
// that disagrees does not fail the group: the oldest member that states the key wins, and
// the later value is ignored with a Problem on its Ingress (scope "rule").

import type { Problem } from "../../../model/desired.ts";
import type { Ingress } from "../../../model/kube-objects.ts";
import {
  ANNOTATION_PREFIX,
  annotationField,
  createProblem,
  objectKey,
  sortRecord,
} from "../../../model/problems.ts";
import { ANNOTATION, LISTENER_ATTRIBUTES_PREFIX } from "../annotations/annotation-registry.ts";
import type { AddonSettings, Attributes, MemberAddons } from "./addon-types.ts";

type Owned = { value: string; by: string };

/** Collects the add-ons of the joined members, first setter first. */
export class AddonMerger {
  private readonly group: string;
  private readonly loadBalancer = new Map<string, Owned>();
  private readonly listeners = new Map<string, Map<string, Owned>>();
  private waf: Owned | undefined;

  constructor(group: string) {
    this.group = group;
  }

  /** Adds one member's add-ons; returns the Problems of the values it loses. */
  add(ingress: Ingress, addons: MemberAddons): Problem[] {
    const problems: Problem[] = [];
    const by = objectKey(ingress);
    const conflict = (annotation: string, what: string, winner: Owned, value: string) =>
      problems.push(
        createProblem({
          ingress: by,
          field: annotationField(annotation),
          value: ingress.metadata.annotations?.[`${ANNOTATION_PREFIX}${annotation}`] ?? value,
          message: `${what} ${JSON.stringify(value)} conflicts with ${JSON.stringify(winner.value)} set by ${winner.by}, the oldest member that sets it; this value is ignored in group "${this.group}": set the same value or remove it`,
          scope: "rule",
        }),
      );
    const merge = (into: Map<string, Owned>, attributes: Attributes, annotation: string) => {
      for (const [k, v] of Object.entries(attributes)) {
        const winner = into.get(k);
        if (!winner) into.set(k, { value: v, by });
        else if (winner.value !== v) conflict(annotation, `attribute ${k}`, winner, v);
      }
    };
    if (addons.loadBalancerAttributes)
      merge(this.loadBalancer, addons.loadBalancerAttributes, ANNOTATION.loadBalancerAttributes);
    for (const [listener, attributes] of Object.entries(addons.listenerAttributes ?? {})) {
      const into = this.listeners.get(listener) ?? new Map<string, Owned>();
      this.listeners.set(listener, into);
      merge(into, attributes, `${LISTENER_ATTRIBUTES_PREFIX}${listener}`);
    }
    if (addons.wafv2AclArn !== undefined) {
      if (!this.waf) this.waf = { value: addons.wafv2AclArn, by };
      else if (this.waf.value !== addons.wafv2AclArn)
        conflict(ANNOTATION.wafv2AclArn, "web ACL", this.waf, addons.wafv2AclArn);
    }
    return problems;
  }

  /** The merged add-ons, as optional group settings (absent when no member states them). */
  settings(): AddonSettings {
    const values = (m: Map<string, Owned>) =>
      sortRecord(Object.fromEntries([...m].map(([k, o]) => [k, o.value])));
    const listeners = [...this.listeners].filter(([, m]) => m.size > 0);
    return {
      ...(this.loadBalancer.size ? { loadBalancerAttributes: values(this.loadBalancer) } : {}),
      ...(listeners.length
        ? { listenerAttributes: sortRecordOf(Object.fromEntries(listeners.map(([l, m]) => [l, values(m)]))) }
        : {}),
      ...(this.waf ? { wafv2AclArn: this.waf.value } : {}),
    };
  }
}

function sortRecordOf<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
