// Model stage: the subnets of a group's ALB, named by the `subnets` annotation or discovered by tags
// the way AWS LBC discovers them.

import { compareStrings } from "../problems.ts";

/** A VPC subnet, as the EC2 adapter reports it. */
export interface Subnet {
  readonly id: string;
  readonly vpcId: string;
  readonly availabilityZone: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** Role tag of subnets for internet-facing load balancers. */
export const PUBLIC_ELB_TAG = "kubernetes.io/role/elb";
/** Role tag of subnets for internal load balancers. */
export const INTERNAL_ELB_TAG = "kubernetes.io/role/internal-elb";
const CLUSTER_TAG_PREFIX = "kubernetes.io/cluster/";

/** Input of `resolveSubnets`. */
export interface ResolveSubnetsInput {
  readonly cluster: string;
  readonly vpcId: string;
  readonly subnets: readonly Subnet[];
  readonly scheme: "internal" | "internet-facing";
  /** IDs or Name tag values from the `subnets` annotation; absent means discovery. */
  readonly named?: readonly string[];
}

/** The chosen subnet IDs (sorted), or a message saying why none can be chosen and how to fix it. */
export type SubnetResolution =
  | { readonly ok: true; readonly subnetIds: string[] }
  | { readonly ok: false; readonly message: string };

/** Chooses the ALB's subnets: named ones, or one discovered subnet per AZ in at least two AZs. */
export function resolveSubnets(input: ResolveSubnetsInput): SubnetResolution {
  return input.named ? resolveNamed(input, input.named) : discover(input);
}

function resolveNamed(input: ResolveSubnetsInput, named: readonly string[]): SubnetResolution {
  const chosen = new Map<string, Subnet>();
  for (const ref of named) {
    const matches = input.subnets
      .filter((s) => (ref.startsWith("subnet-") ? s.id === ref : s.tags.Name === ref))
      .sort((a, b) => compareStrings(a.id, b.id));
    if (matches.length === 0) {
      return {
        ok: false,
        message: `subnet ${JSON.stringify(ref)} was not found (by ID or Name tag): name an existing subnet`,
      };
    }
    for (const s of matches) chosen.set(s.id, s);
  }
  const subnets = [...chosen.values()];
  const foreign = subnets.find((s) => s.vpcId !== input.vpcId);
  if (foreign) {
    return {
      ok: false,
      message: `subnet ${foreign.id} is in ${foreign.vpcId}, not in the cluster's VPC ${input.vpcId}`,
    };
  }
  const byAz = new Map<string, string>();
  for (const s of subnets.sort((a, b) => compareStrings(a.id, b.id))) {
    const other = byAz.get(s.availabilityZone);
    if (other) {
      return {
        ok: false,
        message: `subnets ${other} and ${s.id} are both in ${s.availabilityZone}: an ALB takes one subnet per Availability Zone`,
      };
    }
    byAz.set(s.availabilityZone, s.id);
  }
  if (byAz.size < 2) {
    return {
      ok: false,
      message: `an ALB needs subnets in at least two Availability Zones; got ${byAz.size}: name more subnets`,
    };
  }
  return { ok: true, subnetIds: [...byAz.values()].sort(compareStrings) };
}

function discover(input: ResolveSubnetsInput): SubnetResolution {
  const roleTag = input.scheme === "internet-facing" ? PUBLIC_ELB_TAG : INTERNAL_ELB_TAG;
  const ownTag = `${CLUSTER_TAG_PREFIX}${input.cluster}`;
  const eligible = input.subnets.filter(
    (s) =>
      s.vpcId === input.vpcId &&
      (s.tags[roleTag] === "1" || s.tags[roleTag] === "") &&
      (ownTag in s.tags || !Object.keys(s.tags).some((k) => k.startsWith(CLUSTER_TAG_PREFIX))),
  );
  // Per AZ, a subnet tagged for this cluster beats an untagged one (as AWS LBC); then the lowest ID.
  const rank = (s: Subnet) => (ownTag in s.tags ? 0 : 1);
  const byAz = new Map<string, Subnet>();
  for (const s of eligible) {
    const best = byAz.get(s.availabilityZone);
    if (!best || rank(s) - rank(best) < 0 || (rank(s) === rank(best) && compareStrings(s.id, best.id) < 0)) {
      byAz.set(s.availabilityZone, s);
    }
  }
  if (byAz.size < 2) {
    const found = [...byAz.keys()].sort(compareStrings);
    return {
      ok: false,
      message: `found ${input.scheme} subnets in ${found.length} Availability Zone(s) (${found.join(", ") || "none"}) of ${input.vpcId}, an ALB needs at least two: tag subnets in two or more AZs with ${roleTag}=1 (and no other cluster's ${CLUSTER_TAG_PREFIX}<name> tag), or set the subnets annotation`,
    };
  }
  return { ok: true, subnetIds: [...byAz.values()].map((s) => s.id).sort(compareStrings) };
}
