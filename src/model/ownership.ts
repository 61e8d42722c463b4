// Model stage: Gannet's ownership scheme for AWS resources, written down once.
//
// Every AWS resource Gannet creates carries these tags:
//   gannet.io/cluster   the cluster name Gannet runs for (one account may serve many clusters)
//   gannet.io/group     the Ingress group key (`group.name`, or `<namespace>/<name>` for an implicit group)
//   gannet.io/resource  the role: load-balancer | security-group | backend-security-group | target-group |
//                       listener | rule | certificate | security-group-rule (an ingress rule Gannet adds to a
//                       target's security group: the group is not Gannet's, the rule is, see backend-rules.ts)
//   gannet.io/key       the resource's key within its group (target group key, listener port, ...)
//   gannet.io/state     on the ALB: the fingerprint of the last fully applied desired state
// A resource is Gannet's to change or delete only when cluster AND group tags match exactly.
// Resources without these tags, or with another cluster's, are never touched: not even tagged.
// User tags (the `tags` annotation) can never set a key under `gannet.io/`: see `mergeUserTags`.

import { createHash } from "node:crypto";

/** Tag keys of the ownership scheme. */
export const TAG = {
  cluster: "gannet.io/cluster",
  group: "gannet.io/group",
  resource: "gannet.io/resource",
  key: "gannet.io/key",
  /** On a group's ALB only: the fingerprint of the desired state last fully applied (see reconcile/state-tag.ts). */
  state: "gannet.io/state",
} as const;

/** Prefix reserved for Gannet's own tags; user tags under it are refused. */
export const RESERVED_TAG_PREFIX = "gannet.io/";

/** The roles a Gannet-owned resource can play. */
export type ResourceRole =
  | "load-balancer"
  | "security-group"
  | "backend-security-group"
  | "security-group-rule"
  | "target-group"
  | "listener"
  | "rule"
  | "certificate";

/** Who owns a resource: the identity written into its tags. */
export interface Owner {
  readonly cluster: string;
  readonly group: string;
}

/** Tags that mark a resource as owned by `owner` in `role`, with an optional key within the group. */
export function buildOwnershipTags(owner: Owner, role: ResourceRole, key?: string): Record<string, string> {
  const tags: Record<string, string> = {
    [TAG.cluster]: owner.cluster,
    [TAG.group]: owner.group,
    [TAG.resource]: role,
  };
  if (key !== undefined) tags[TAG.key] = key;
  return tags;
}

/** True when `tags` claim the resource for this cluster (any group). */
export function isOwnedByCluster(
  tags: Readonly<Record<string, string>> | undefined,
  cluster: string,
): boolean {
  return tags?.[TAG.cluster] === cluster && typeof tags[TAG.group] === "string";
}

/** True when `tags` claim the resource for exactly this cluster and group. */
export function isOwnedBy(tags: Readonly<Record<string, string>> | undefined, owner: Owner): boolean {
  return tags?.[TAG.cluster] === owner.cluster && tags[TAG.group] === owner.group;
}

/** Merges user tags under Gannet's; keys under `gannet.io/` are dropped and returned as refused. */
export function mergeUserTags(
  ownership: Readonly<Record<string, string>>,
  user: Readonly<Record<string, string>>,
): { tags: Record<string, string>; refused: string[] } {
  const tags: Record<string, string> = {};
  const refused: string[] = [];
  for (const [k, v] of Object.entries(user)) {
    if (k.startsWith(RESERVED_TAG_PREFIX)) refused.push(k);
    else tags[k] = v;
  }
  return { tags: { ...tags, ...ownership }, refused };
}

/** A short stable hash (hex) of the given parts, for AWS names that must stay within length limits. */
export function shortHash(parts: readonly string[], length = 10): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, length);
}

/** Lowercase alphanumerics only, truncated: a safe fragment for AWS resource names. */
function nameFragment(value: string, max: number): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "")
    .slice(0, max);
}

/** The ALB name of a group: `gannet-<group>-<hash>`, ≤ 32 characters, stable for a cluster and group. */
export function buildLoadBalancerName(owner: Owner, scheme: string): string {
  // The scheme is part of the hash: changing it needs a new ALB, which must not collide with the old one.
  return `gannet-${nameFragment(owner.group, 14) || "g"}-${shortHash([owner.cluster, owner.group, scheme])}`;
}

/** The name of the group's managed security group (EC2 group names allow 255 characters). */
export function buildSecurityGroupName(owner: Owner): string {
  return `gannet-${nameFragment(owner.group, 40) || "g"}-${shortHash([owner.cluster, owner.group])}`;
}

/** The name of the group's backend security group (`manage-backend-security-group-rules`). */
export function buildBackendSecurityGroupName(owner: Owner): string {
  return `gannet-${nameFragment(owner.group, 32) || "g"}-backend-${shortHash([owner.cluster, owner.group])}`;
}

/** A target group name, ≤ 32 characters; the hash covers every setting AWS cannot change in place. */
export function buildTargetGroupName(owner: Owner, key: string, immutable: readonly string[]): string {
  const service = key.split("/")[1]?.split(":")[0] ?? key;
  return `gn-${nameFragment(service, 16) || "svc"}-${shortHash([owner.cluster, owner.group, key, ...immutable])}`;
}
