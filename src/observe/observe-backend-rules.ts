// Observe stage: what `manage-backend-security-group-rules` needs from EC2, read only for groups that use
// it (or still have a backend security group to clean up): the ingress rules Gannet added for the group
// (found by their tags), and the security groups of the network interfaces holding the target pod IPs.

import type { Ec2Port } from "../aws/ec2.ts";
import type { Owner } from "../model/ownership.ts";
import type { ObservedGroup, TargetSecurityGroup } from "../types/alb.ts";

/** The tag that marks a node or pod security group as the cluster's, as AWS LBC and EKS use it. */
export function clusterSecurityGroupTag(cluster: string): string {
  return `kubernetes.io/cluster/${cluster}`;
}

/** Reads the group's backend rules and, for `targetIps`, their interfaces' security groups. */
export async function observeBackendRules(
  ec2: Ec2Port,
  input: { readonly owner: Owner; readonly vpcId: string; readonly targetIps: readonly string[] },
): Promise<Pick<ObservedGroup, "backendRules" | "targetSecurityGroups">> {
  const [backendRules, byIp] = await Promise.all([
    ec2.listOwnedRules(input.owner),
    input.targetIps.length
      ? ec2.securityGroupsOfIps(input.vpcId, input.targetIps)
      : new Map<string, string[]>(),
  ]);
  // Tags are needed only to choose among several security groups on one interface.
  const ambiguous = [...new Set([...byIp.values()].filter((ids) => ids.length > 1).flat())].sort();
  const tags = await ec2.securityGroupTags(ambiguous);
  const key = clusterSecurityGroupTag(input.owner.cluster);
  const targetSecurityGroups: Record<string, readonly TargetSecurityGroup[]> = {};
  for (const [ip, ids] of [...byIp].sort(([a], [b]) => a.localeCompare(b))) {
    targetSecurityGroups[ip] = ids.map((id) => ({ id, clusterTagged: tags.get(id)?.[key] !== undefined }));
  }
  return { backendRules, targetSecurityGroups };
}
