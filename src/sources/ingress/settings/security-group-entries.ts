// Ingress front end: the `security-groups` entries of the members, which the observe stage looks up in
// the VPC (IDs, or Name tag values) before the model resolves them (security-groups.ts).

import type { Ingress } from "../../../model/kube-objects.ts";
import { ALB_ANNOTATIONS } from "../annotations/annotation-registry.ts";
import { readAnnotation } from "../annotations/annotations.ts";

/** The `security-groups` entries the members state (valid values only), to look up before building. */
export function securityGroupEntriesOf(members: readonly Ingress[]): string[] {
  const entries = new Set<string>();
  for (const m of members) {
    const read = readAnnotation(m.metadata.annotations, ALB_ANNOTATIONS.securityGroups);
    if (read.present && read.ok) for (const e of read.value) entries.add(e);
  }
  return [...entries].sort();
}
