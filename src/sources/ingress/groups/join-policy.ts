// Ingress front end: who may join a shared Ingress group (`group.name`). Pure.
//
// A shared ALB serves every member's hosts, so joining a group is a privilege: by default only the
// namespace of the group's oldest member (see `compareSeniority`) may join it. A platform team widens
// that with a ConfigMap named by Gannet's IngressClass (`spec.parameters`, kind ConfigMap, scope
// Namespace):
//   data:
//     allowed-namespaces.<group>: "web, shop"   namespaces that may join <group>; "*" allows any
//     allowed-namespaces: "platform"            the same for every group not listed by name
// A member from another namespace is refused with a Warning and changes nothing: it is not a member, its
// rules are not served, and an older member's ALB is never touched on its account. A group none of whose
// members is allowed is left unchanged in AWS (a typo in the ConfigMap never tears down an ALB).

import type { GroupKey, Problem } from "../../../model/desired.ts";
import type { ConfigMap, Ingress, IngressClass } from "../../../model/kube-objects.ts";
import { createProblem, objectKey } from "../../../model/problems.ts";
import { sortBySeniority } from "./ingress-groups.ts";

/** The data key prefix that lists the namespaces allowed to join one group. */
export const ALLOWED_NAMESPACES_KEY = "allowed-namespaces";

const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Namespaces allowed to join groups, as one IngressClass's parameters say. */
export interface JoinPolicy {
  /** Where the policy comes from, for messages: `ConfigMap ns/name`, or the default. */
  readonly source: string;
  readonly byGroup: ReadonlyMap<GroupKey, readonly string[]>;
  readonly fallback?: readonly string[];
  /** Set when the parameters cannot be read: the group is then left unchanged. */
  readonly error?: string;
}

/** The policy when an IngressClass names no parameters: only the oldest member's namespace. */
export const DEFAULT_JOIN_POLICY: JoinPolicy = { source: "the default policy", byGroup: new Map() };

/** Reads the join policy of `ingressClass` from the ConfigMap its `spec.parameters` names. */
export function readJoinPolicy(
  ingressClass: IngressClass | undefined,
  configMaps: readonly ConfigMap[],
): JoinPolicy {
  const params = ingressClass?.spec.parameters as
    | { apiGroup?: string; kind?: string; name?: string; namespace?: string; scope?: string }
    | undefined;
  if (!ingressClass || !params) return DEFAULT_JOIN_POLICY;
  const where = `IngressClass ${ingressClass.metadata.name} spec.parameters`;
  if (params.kind !== "ConfigMap" || (params.apiGroup ?? "") !== "" || !params.name || !params.namespace) {
    return {
      ...DEFAULT_JOIN_POLICY,
      error: `${where} must name a ConfigMap with its namespace (no apiGroup, kind ConfigMap, scope Namespace), got ${JSON.stringify(params)}`,
    };
  }
  const source = `ConfigMap ${params.namespace}/${params.name}`;
  const cm = configMaps.find(
    (c) => c.metadata.namespace === params.namespace && c.metadata.name === params.name,
  );
  if (!cm) return { source, byGroup: new Map(), error: `${where} names ${source}, which does not exist` };
  const byGroup = new Map<GroupKey, string[]>();
  let fallback: string[] | undefined;
  for (const [key, raw] of Object.entries(cm.data ?? {})) {
    if (key !== ALLOWED_NAMESPACES_KEY && !key.startsWith(`${ALLOWED_NAMESPACES_KEY}.`)) continue;
    const namespaces = raw
      .split(/[\s,]+/)
      .map((n) => n.trim())
      .filter((n) => n !== "");
    const bad = namespaces.filter((n) => n !== "*" && !NAMESPACE.test(n));
    if (bad.length > 0) {
      return {
        source,
        byGroup: new Map(),
        error: `${source} data["${key}"] holds ${JSON.stringify(bad.join(", "))}, which is not a namespace name: list namespaces separated by commas, or "*" for any`,
      };
    }
    if (key === ALLOWED_NAMESPACES_KEY) fallback = namespaces;
    else byGroup.set(key.slice(ALLOWED_NAMESPACES_KEY.length + 1), namespaces);
  }
  return fallback ? { source, byGroup, fallback } : { source, byGroup };
}

/** The members allowed to join, those refused (with their Problems), or why the group must halt. */
export interface Admission {
  readonly admitted: readonly Ingress[];
  readonly refused: readonly Ingress[];
  readonly problems: readonly Problem[];
  readonly halt?: string;
}

/**
 * Applies the join policy to a group's live members (in group order, which is kept). Implicit groups
 * (one Ingress, keyed `<namespace>/<name>`) always admit their member.
 */
export function admitMembers(
  group: GroupKey,
  members: readonly Ingress[],
  policyOf: (ingress: Ingress) => JoinPolicy,
): Admission {
  const oldest = sortBySeniority(members)[0];
  if (!oldest || (members.length === 1 && objectKey(oldest) === group)) {
    return { admitted: members, refused: [], problems: [] };
  }
  const policy = policyOf(oldest);
  const field = `metadata.annotations['alb.ingress.kubernetes.io/group.name']`;
  if (policy.error !== undefined) {
    const message = `${policy.error}; AWS is left unchanged for group "${group}" until it is fixed`;
    return {
      admitted: members,
      refused: [],
      problems: members.map((m) =>
        createProblem({ ingress: objectKey(m), field, value: group, message, scope: "member" }),
      ),
      halt: policy.error,
    };
  }
  const listed = policy.byGroup.get(group) ?? policy.fallback;
  const allowed = listed ?? [oldest.metadata.namespace];
  const may = (m: Ingress) => allowed.includes("*") || allowed.includes(m.metadata.namespace);
  const admitted = members.filter(may);
  const refused = members.filter((m) => !may(m));
  const why = listed
    ? `${policy.source} allows only namespace(s) ${allowed.join(", ")} to join group "${group}"`
    : `only namespace ${oldest.metadata.namespace}, of the group's oldest member ${objectKey(oldest)}, may join group "${group}"`;
  const problems = refused.map((m) => {
    const ns = m.metadata.namespace;
    const fix = listed
      ? `add ${ns} to ${policy.source}, or use another group.name`
      : `list ${ns} in a ConfigMap named by the IngressClass's spec.parameters (data key ${ALLOWED_NAMESPACES_KEY}.${group}), or use another group.name`;
    return createProblem({
      ingress: objectKey(m),
      field,
      value: group,
      message: `${why}; this Ingress from namespace ${ns} is refused and changes nothing: ${fix}`,
      scope: "member",
    });
  });
  if (admitted.length === 0) {
    return {
      admitted: members,
      refused: [],
      problems,
      halt: `no member of group "${group}" is allowed to join it by ${policy.source}; AWS is left unchanged`,
    };
  }
  return { admitted, refused, problems };
}
