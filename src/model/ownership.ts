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
// User tags (the `tags` annotation) can never set a key under `gannet.io/` (in any case): see `mergeUserTags`;
// their keys and values are checked against the charset and lengths ELBv2, EC2 and ACM all accept (see
// `checkUserTag`), so a hostile value is refused with a Problem instead of failing a create call. Tag values
// Gannet builds itself from user input (the group key) are kept within 256 characters (see `groupTagValue`).

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

/** Tags a user may add to one resource: ELBv2, EC2 and ACM allow 50, Gannet writes up to 5 of its own. */
export const MAX_USER_TAGS = 45;

// The characters ELBv2 (`^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`), ACM and EC2 all accept in tag keys and values.
const TAG_CHARSET = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const MAX_TAG_KEY = 128;
const MAX_TAG_VALUE = 256;

/** Why a user tag cannot be written to AWS (key or value), or undefined when it can. Lengths in characters. */
export function checkUserTag(key: string, value: string): string | undefined {
  const length = (s: string) => [...s].length;
  if (length(key) < 1 || length(key) > MAX_TAG_KEY)
    return `tag key ${JSON.stringify(key)} must have 1 to ${MAX_TAG_KEY} characters`;
  if (length(value) > MAX_TAG_VALUE)
    return `the value of tag ${JSON.stringify(key)} must have at most ${MAX_TAG_VALUE} characters (it has ${length(value)})`;
  for (const [what, s] of [
    ["key", key],
    ["value", value],
  ] as const) {
    if (!TAG_CHARSET.test(s))
      return `tag ${what} ${JSON.stringify(s)} may hold only letters, digits, spaces and _ . : / = + - @ (AWS refuses other characters)`;
  }
  if (key.toLowerCase().startsWith("aws:"))
    return `tag key ${JSON.stringify(key)} uses the "aws:" prefix AWS reserves`;
  return undefined;
}

/**
 * The `gannet.io/group` tag value of a group: the key itself when it fits AWS's 256 characters (every
 * explicit group and most implicit ones), else its first 245 characters, `_` (never in a Kubernetes name) and a hash. An implicit key
 * `<namespace>/<name>` can reach 317 characters, which AWS would refuse.
 */
export function groupTagValue(group: string): string {
  if ([...group].length <= MAX_TAG_VALUE) return group;
  return `${[...group].slice(0, MAX_TAG_VALUE - 11).join("")}_${shortHash([group])}`;
}

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
    [TAG.group]: groupTagValue(owner.group),
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
  return tags?.[TAG.cluster] === owner.cluster && tags[TAG.group] === groupTagValue(owner.group);
}

/** Merges user tags under Gannet's; keys under `gannet.io/` (any case) are dropped and returned as refused. */
export function mergeUserTags(
  ownership: Readonly<Record<string, string>>,
  user: Readonly<Record<string, string>>,
): { tags: Record<string, string>; refused: string[] } {
  const tags: Record<string, string> = {};
  const refused: string[] = [];
  for (const [k, v] of Object.entries(user)) {
    if (k.toLowerCase().startsWith(RESERVED_TAG_PREFIX)) refused.push(k);
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
