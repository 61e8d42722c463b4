// Ingress front end: the load-balancer-wide settings of a group, agreed across its members.
//
// As in AWS LBC, a member that does not annotate a setting agrees with any value. Unlike AWS LBC, the oldest
// member that sets it wins (creationTimestamp, then namespace/name: see `compareSeniority`), so a newer
// Ingress can never change what an older one set; and a member that disagrees (or has an invalid value) is
// left out with a Problem instead of failing the whole group: it never changes the ALB, the others converge.
// One exception keeps a working ALB safe: when a left-out member is the only one stating a setting that
// shapes the ALB for everyone (scheme, address type, subnets, CIDRs, name), falling back to the default could
// flip or open it. Such a setting is held: the group keeps the value its ALB has now (build-load-balancer.ts), or,
// with no ALB yet, halts until the annotation is fixed.

import type { HeldSetting } from "../../../model/description.ts";
import type { GroupKey, Problem } from "../../../model/desired.ts";
import type { Ingress } from "../../../model/kube-objects.ts";
import { MAX_USER_TAGS } from "../../../model/ownership.ts";
import { ANNOTATION_PREFIX, annotationField, createProblem, objectKey } from "../../../model/problems.ts";
import { ANNOTATION } from "../annotations/annotation-registry.ts";
import type { ListenPort } from "../annotations/annotation-schemas.ts";
import type { LoadBalancerSetting, MemberAnnotations } from "../annotations/annotations.ts";
import { compareSeniority } from "../groups/ingress-groups.ts";
import type { AddonSettings } from "./addon-types.ts";
import { AddonMerger } from "./group-addons.ts";

/** Listener TLS policy used when no member sets `ssl-policy`. */
export const DEFAULT_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/** Listen ports of a member that does not set `listen-ports`. */
export const DEFAULT_LISTEN_PORTS: readonly ListenPort[] = [{ protocol: "HTTP", port: 80 }];

/** Listen ports of a member with `spec.tls` hosts and no `listen-ports`: HTTP stays while certificates issue. */
export const DEFAULT_TLS_LISTEN_PORTS: readonly ListenPort[] = [
  { protocol: "HTTP", port: 80 },
  { protocol: "HTTPS", port: 443 },
];

/** Listen ports of a member with `certificate-arn` and no `listen-ports`, as AWS LBC defaults them. */
export const DEFAULT_CERTIFICATE_LISTEN_PORTS: readonly ListenPort[] = [{ protocol: "HTTPS", port: 443 }];

function defaultListenPorts(
  ingress: Ingress,
  certificateArns: readonly string[] | undefined,
): readonly ListenPort[] {
  if ((certificateArns?.length ?? 0) > 0) return DEFAULT_CERTIFICATE_LISTEN_PORTS;
  const tls = ingress.spec.tls?.some((t) => (t.hosts?.length ?? 0) > 0) ?? false;
  return tls ? DEFAULT_TLS_LISTEN_PORTS : DEFAULT_LISTEN_PORTS;
}

/** Settings of the group's ALB once members agree, defaults filled in. */
export interface GroupSettings extends AddonSettings {
  readonly scheme: "internal" | "internet-facing";
  readonly ipAddressType: "ipv4" | "dualstack";
  /** Subnet IDs or Name tag values; absent means discovery. */
  readonly subnets?: readonly string[];
  readonly inboundCidrs: readonly string[];
  readonly loadBalancerName?: string;
  readonly sslPolicy: string;
  readonly certificateArns: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  /** Security group IDs or Name tag values replacing the managed security group; absent: the managed one. */
  readonly securityGroups?: readonly string[];
  readonly manageBackendSecurityGroupRules?: boolean;
}

/** A member that joins the ALB, with the ports its rules are served on. */
export interface GroupMember {
  readonly ingress: Ingress;
  readonly listenPorts: readonly ListenPort[];
}

/** The agreed settings, the members that joined, the problems, and a halt reason when unsafe. */
export interface MergedGroup {
  readonly settings: GroupSettings;
  readonly members: readonly GroupMember[];
  readonly problems: readonly Problem[];
  readonly halt?: string;
  /** Settings only an invalid left-out member states: the ALB's current values must be kept. */
  readonly held?: { readonly settings: readonly HeldSetting[]; readonly reason: string };
}

type AgreedSetting =
  | "scheme"
  | "ipAddressType"
  | "subnets"
  | "inboundCidrs"
  | "loadBalancerName"
  | "sslPolicy"
  | "securityGroups"
  | "manageBackendSecurityGroupRules";
const AGREED: readonly AgreedSetting[] = [
  "scheme",
  "ipAddressType",
  "subnets",
  "inboundCidrs",
  "loadBalancerName",
  "sslPolicy",
  "securityGroups",
  "manageBackendSecurityGroupRules",
];
// Falling back to the default of these could open the ALB (the managed security group opens the listen
// ports to 0.0.0.0/0) or cut its targets off (backend rules revoked).
const SHAPES_ALB: readonly HeldSetting[] = [
  "scheme",
  "ipAddressType",
  "subnets",
  "inboundCidrs",
  "loadBalancerName",
  "securityGroups",
  "manageBackendSecurityGroupRules",
];

/** Merges the members' annotations (the oldest setter wins); joined members keep the order given. */
export function mergeGroupSettings(
  group: GroupKey,
  members: readonly { readonly ingress: Ingress; readonly annotations: MemberAnnotations }[],
): MergedGroup {
  const position = new Map(members.map((m, i) => [m.ingress, i]));
  const bySeniority = [...members].sort((a, b) => compareSeniority(a.ingress, b.ingress));
  const problems: Problem[] = [];
  const agreed = new Map<AgreedSetting, { value: unknown; by: string }>();
  const ports = new Map<number, { protocol: string; by: string }>();
  const certificateArns: string[] = [];
  const tags: Record<string, string> = {};
  const tagOwners = new Map<string, string>();
  const joined: GroupMember[] = [];
  const addons = new AddonMerger(group);
  const leftOutInvalid: { key: string; stated: readonly LoadBalancerSetting[] }[] = [];

  for (const { ingress, annotations } of bySeniority) {
    const key = objectKey(ingress);
    problems.push(...annotations.problems, ...(annotations.addons?.problems ?? []));
    if (annotations.invalid) {
      leftOutInvalid.push({ key, stated: annotations.stated });
      continue;
    }
    const settings = annotations.settings;
    const listenPorts = settings.listenPorts ?? defaultListenPorts(ingress, settings.certificateArns);
    const conflicts: Problem[] = [];
    const leftOut = `; set the same value or remove the annotation (until then the Ingress is left out of group "${group}" and its rules already in AWS are kept as they are)`;
    for (const setting of AGREED) {
      const value = settings[setting];
      const winner = agreed.get(setting);
      if (value === undefined || !winner || JSON.stringify(winner.value) === JSON.stringify(value)) continue;
      const message = `conflicts with ${JSON.stringify(winner.value)} set by ${winner.by}, the oldest member that sets it${leftOut}`;
      conflicts.push(conflict(ingress, ANNOTATION[setting], message));
    }
    for (const p of listenPorts) {
      const winner = ports.get(p.port);
      if (!winner || winner.protocol === p.protocol) continue;
      const how = settings.listenPorts ? "" : " by default";
      const message = `listens on port ${p.port} with ${p.protocol}${how}, but ${winner.by} serves port ${p.port} with ${winner.protocol}${leftOut}`;
      conflicts.push(conflict(ingress, ANNOTATION.listenPorts, message));
    }
    if (conflicts.length > 0) {
      problems.push(...conflicts);
      continue;
    }
    for (const setting of AGREED) {
      const value = settings[setting];
      if (value !== undefined && !agreed.has(setting)) agreed.set(setting, { value, by: key });
    }
    for (const p of listenPorts) if (!ports.has(p.port)) ports.set(p.port, { protocol: p.protocol, by: key });
    for (const arn of settings.certificateArns ?? [])
      if (!certificateArns.includes(arn)) certificateArns.push(arn);
    for (const [k, v] of Object.entries(annotations.tags)) {
      const owner = tagOwners.get(k);
      if (owner === undefined && tagOwners.size >= MAX_USER_TAGS) {
        const message = `tag ${JSON.stringify(k)} would make more than ${MAX_USER_TAGS} tags on the group's ALB (AWS takes 50, Gannet writes 5); older members set ${MAX_USER_TAGS} already, so it is ignored`;
        problems.push(createProblem({ ...conflict(ingress, ANNOTATION.tags, message), scope: "rule" }));
      } else if (owner === undefined) {
        tags[k] = v;
        tagOwners.set(k, key);
      } else if (tags[k] !== v) {
        const message = `tag ${JSON.stringify(k)} is already ${JSON.stringify(tags[k])} from ${owner}, the oldest member that sets it; this value is ignored`;
        problems.push(createProblem({ ...conflict(ingress, ANNOTATION.tags, message), scope: "rule" }));
      }
    }
    if (annotations.addons) problems.push(...addons.add(ingress, annotations.addons));
    joined.push({ ingress, listenPorts });
  }

  const ipAddressType = (agreed.get("ipAddressType")?.value as GroupSettings["ipAddressType"]) ?? "ipv4";
  const optional = (s: AgreedSetting) => {
    const value = agreed.get(s)?.value;
    return value === undefined ? {} : { [s]: value };
  };
  const settings = {
    scheme: (agreed.get("scheme")?.value as GroupSettings["scheme"]) ?? "internal",
    ipAddressType,
    ...optional("subnets"),
    inboundCidrs:
      (agreed.get("inboundCidrs")?.value as string[]) ??
      (ipAddressType === "dualstack" ? ["0.0.0.0/0", "::/0"] : ["0.0.0.0/0"]),
    ...optional("loadBalancerName"),
    sslPolicy: (agreed.get("sslPolicy")?.value as string) ?? DEFAULT_SSL_POLICY,
    certificateArns,
    tags,
    ...optional("securityGroups"),
    ...optional("manageBackendSecurityGroupRules"),
    ...addons.settings(),
  } as GroupSettings;
  joined.sort((a, b) => (position.get(a.ingress) ?? 0) - (position.get(b.ingress) ?? 0));
  if (joined.length === 0 && leftOutInvalid.length > 0) {
    const halt =
      "every member of the group is left out for an invalid annotation; AWS is left unchanged until one is fixed";
    return { settings, members: joined, problems, halt };
  }
  const held = heldSettings(leftOutInvalid, agreed);
  return held === undefined
    ? { settings, members: joined, problems }
    : { settings, members: joined, problems, held };
}

function isHeld(setting: LoadBalancerSetting): setting is HeldSetting {
  return (SHAPES_ALB as readonly string[]).includes(setting);
}

/** Settings that only invalid left-out members state: falling back to a default could flip the ALB. */
function heldSettings(
  leftOutInvalid: readonly { key: string; stated: readonly LoadBalancerSetting[] }[],
  agreed: ReadonlyMap<string, unknown>,
): MergedGroup["held"] {
  const settings = new Set<HeldSetting>();
  const keys: string[] = [];
  for (const { key, stated } of leftOutInvalid) {
    const uncovered = stated.filter((s): s is HeldSetting => isHeld(s) && !agreed.has(s));
    for (const s of uncovered) settings.add(s);
    if (uncovered.length > 0) keys.push(key);
  }
  if (settings.size === 0) return undefined;
  const names = [...settings].map((s) => `${ANNOTATION_PREFIX}${ANNOTATION[s]}`).join(", ");
  return {
    settings: SHAPES_ALB.filter((s) => settings.has(s)),
    reason: `${keys.join(", ")} is left out for an invalid annotation and no other member sets ${names}; rather than fall back to a default that could change the load balancer, AWS is left unchanged until it is fixed`,
  };
}

function conflict(ingress: Ingress, annotation: string, message: string): Problem {
  return createProblem({
    ingress: objectKey(ingress),
    field: annotationField(annotation),
    value: ingress.metadata.annotations?.[`${ANNOTATION_PREFIX}${annotation}`] ?? "",
    message,
    scope: "member",
  });
}
