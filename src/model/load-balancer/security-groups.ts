// Model stage: the ALB's security groups. Without described security groups, Gannet's managed security group
// opens the listener ports to the inbound CIDRs. With them, the user's groups (IDs, or Name tag values resolved
// in the VPC, as AWS LBC does) replace the managed one; Gannet never changes them. A name that matches no
// group, or several, cannot be applied: the ALB keeps the security groups it has (a working ALB is never
// stripped or opened by a typo), and a Problem names the entry.
// When the source asks Gannet to manage the targets' rules, a backend security group of Gannet's own is attached too;
// see plan/backend-rules.ts for the rules it gets on the targets' security groups.

import type { StatedBy } from "../description.ts";
import type { DesiredBackendSecurityGroup, Problem, SourceRef } from "../desired.ts";
import {
  buildBackendSecurityGroupName,
  buildOwnershipTags,
  mergeUserTags,
  type Owner,
} from "../ownership.ts";
import { createProblem, sortRecord } from "../problems.ts";

/** For each `security-groups` entry, the IDs of the security groups of the VPC it names. */
export type SecurityGroupLookup = ReadonlyMap<string, readonly string[]>;

/** True for an entry that is a security group ID rather than a Name tag value. */
export function isSecurityGroupId(entry: string): boolean {
  return entry.startsWith("sg-");
}

/** The outcome of resolving `security-groups`: the IDs, or the Problems that keep the current ones. */
export type ResolvedSecurityGroups =
  | { readonly ok: true; readonly ids: readonly string[] }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/** Resolves the agreed entries; `statedBy` names where they are stated, for the Problems. */
export function resolveSecurityGroups(input: {
  readonly entries: readonly string[];
  readonly lookup: SecurityGroupLookup | undefined;
  readonly vpcId: string;
  readonly statedBy: readonly StatedBy[];
}): ResolvedSecurityGroups {
  const ids = new Set<string>();
  const wrong: string[] = [];
  for (const entry of input.entries) {
    const found = input.lookup?.get(entry) ?? (input.lookup || !isSecurityGroupId(entry) ? [] : [entry]);
    if (found.length === 1 && found[0]) ids.add(found[0]);
    else if (found.length === 0)
      wrong.push(
        isSecurityGroupId(entry)
          ? `security group ${entry} does not exist in VPC ${input.vpcId}`
          : `no security group of VPC ${input.vpcId} has the Name tag ${JSON.stringify(entry)}`,
      );
    else
      wrong.push(
        `the Name tag ${JSON.stringify(entry)} matches ${found.length} security groups of VPC ${input.vpcId} (${[...found].sort().join(", ")}): list the one you mean by ID`,
      );
  }
  if (wrong.length === 0) return { ok: true, ids: [...ids].sort() };
  const problems = input.statedBy.flatMap((s) =>
    wrong.map((message) =>
      createProblem({
        ingress: s.ingress,
        field: s.field,
        value: s.value,
        message: `${message}; the load balancer keeps the security groups it has until this is fixed (none is created before)`,
        scope: "rule",
      }),
    ),
  );
  return { ok: false, problems };
}

/** The backend security group of a group that asks Gannet to manage the targets' rules (`source` asks). */
export function buildBackendSecurityGroup(
  owner: Owner,
  userTags: Readonly<Record<string, string>>,
  source: SourceRef,
): DesiredBackendSecurityGroup {
  return {
    name: buildBackendSecurityGroupName(owner),
    // EC2 allows 255 characters of a-zA-Z0-9. _-:/()#,@[]+=&;{}!$* in a description.
    description: `Gannet backend security group for Ingress group ${owner.group}`.slice(0, 255),
    tags: sortRecord(mergeUserTags(buildOwnershipTags(owner, "backend-security-group"), userTags).tags),
    source,
  };
}
