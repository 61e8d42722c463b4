// Model stage: the `alb.ingress.kubernetes.io/*` annotations of an Ingress, parsed and validated with the
// schemas of the registry (annotation-registry.ts).
//
// How bad values are scoped (see also target-group-settings.ts):
// - Load-balancer-wide settings (scheme, ip-address-type, subnets, inbound-cidrs, listen-ports,
//   load-balancer-name, ssl-policy, certificate-arn): a bad value is never replaced by a default,
//   because a default could flip or open a working ALB. The member is left out (scope "member").
// - tags: a bad list, or a key under `gannet.io/`, is only ignored (scope "rule"): tags never route.
// - security-groups, manage-backend-security-group-rules: load-balancer-wide, as above (scope "member").
// - load-balancer-attributes, listener-attributes.*, wafv2-acl-arn: a bad value is ignored (scope "rule"):
//   AWS keeps the current value of whatever is not stated, so ignoring never applies a default.
// - group.name / group.order: the Ingress joins no shared group (see ingress-groups.ts).

import type { ZodType } from "zod";
import type { Problem } from "../../../model/desired.ts";
import type { Ingress } from "../../../model/kube-objects.ts";
import { mergeUserTags } from "../../../model/ownership.ts";
import { ANNOTATION_PREFIX, annotationField, createProblem, objectKey } from "../../../model/problems.ts";
import type { MemberAddons } from "../settings/addon-types.ts";
import { ALB_ANNOTATIONS, ANNOTATION } from "./annotation-registry.ts";
import type { ListenPort } from "./annotation-schemas.ts";
import { parseAnnotationValue } from "./annotation-values.ts";

/** An annotation read from an object: absent, a valid value, or a message saying what is wrong. */
export type AnnotationRead<T> =
  | { readonly present: false }
  | { readonly present: true; readonly ok: true; readonly value: T; readonly raw: string }
  | { readonly present: true; readonly ok: false; readonly message: string; readonly raw: string };

/**
 * Reads and validates `alb.ingress.kubernetes.io/<name>` from `annotations` with the registry entry's
 * schema (for a pattern like `listener-attributes.<Protocol>-<Port>`, pass the name actually used).
 */
export function readAnnotation<T>(
  annotations: Readonly<Record<string, string>> | undefined,
  spec: { readonly name: string; readonly schema: ZodType<T> },
): AnnotationRead<T> {
  const { name, schema } = spec;
  const raw = annotations?.[`${ANNOTATION_PREFIX}${name}`];
  if (raw === undefined) return { present: false };
  const parsed = parseAnnotationValue(schema, raw);
  return parsed.ok
    ? { present: true, ok: true, value: parsed.value, raw }
    : { present: true, ok: false, message: parsed.message, raw };
}

/** The group annotations of one Ingress: a valid explicit name (if any) and its order (default 0). */
export interface GroupAnnotations {
  readonly name?: string;
  readonly order: number;
  readonly problems: readonly Problem[];
}

/** Reads `group.name` and `group.order`; any problem there has scope "member". */
export function readGroupAnnotations(ingress: Ingress): GroupAnnotations {
  const annotations = ingress.metadata.annotations;
  const problems: Problem[] = [];
  const name = readAnnotation(annotations, ALB_ANNOTATIONS.groupName);
  const order = readAnnotation(annotations, ALB_ANNOTATIONS.groupOrder);
  const suffix = "; until then the Ingress is kept apart in its own group and Gannet changes nothing for it";
  for (const [annotation, read] of [
    [ANNOTATION.groupName, name],
    [ANNOTATION.groupOrder, order],
  ] as const) {
    if (read.present && !read.ok) {
      problems.push(
        createProblem({
          ingress: objectKey(ingress),
          field: annotationField(annotation),
          value: read.raw,
          message: `${read.message}${suffix}`,
          scope: "member",
        }),
      );
    }
  }
  const orderValue = order.present && order.ok ? order.value : 0;
  return name.present && name.ok
    ? { name: name.value, order: orderValue, problems }
    : { order: orderValue, problems };
}

/** Load-balancer-wide settings one Ingress states explicitly (absent when not annotated). */
export interface LoadBalancerAnnotations {
  readonly scheme?: "internal" | "internet-facing";
  readonly ipAddressType?: "ipv4" | "dualstack";
  readonly subnets?: readonly string[];
  readonly inboundCidrs?: readonly string[];
  readonly loadBalancerName?: string;
  readonly sslPolicy?: string;
  readonly listenPorts?: readonly ListenPort[];
  readonly certificateArns?: readonly string[];
  readonly securityGroups?: readonly string[];
  readonly manageBackendSecurityGroupRules?: boolean;
}

/** Names of the load-balancer-wide settings. */
export type LoadBalancerSetting = keyof LoadBalancerAnnotations;

/** What one member says about the load balancer, and whether it may join (no member-scope problem). */
export interface MemberAnnotations {
  readonly settings: LoadBalancerAnnotations;
  /** Settings the member annotates, valid or not. */
  readonly stated: readonly LoadBalancerSetting[];
  readonly tags: Readonly<Record<string, string>>;
  /** Attributes and the WAFv2 web ACL (`readMemberAddons`, member-addons.ts); a bad value is only ignored. */
  readonly addons?: MemberAddons;
  readonly problems: readonly Problem[];
  /** True when a load-balancer-wide value is invalid: the member is left out of the group. */
  readonly invalid: boolean;
}

const LOAD_BALANCER_SETTINGS: readonly LoadBalancerSetting[] = [
  "scheme",
  "ipAddressType",
  "subnets",
  "inboundCidrs",
  "loadBalancerName",
  "sslPolicy",
  "listenPorts",
  "certificateArns",
  "securityGroups",
  "manageBackendSecurityGroupRules",
];

/** Reads the load-balancer-wide annotations and `tags` of one Ingress. */
export function readMemberAnnotations(ingress: Ingress): MemberAnnotations {
  const annotations = ingress.metadata.annotations;
  const key = objectKey(ingress);
  const problems: Problem[] = [];
  const settings: Record<string, unknown> = {};
  const stated: LoadBalancerSetting[] = [];
  for (const setting of LOAD_BALANCER_SETTINGS) {
    const read = readAnnotation<unknown>(annotations, ALB_ANNOTATIONS[setting]);
    if (!read.present) continue;
    stated.push(setting);
    if (read.ok) settings[setting] = read.value;
    else {
      const message = `${read.message}; until this is fixed the Ingress is left out of its group and its rules already in AWS are kept as they are`;
      problems.push(
        createProblem({
          ingress: key,
          field: annotationField(ANNOTATION[setting]),
          value: read.raw,
          message,
          scope: "member",
        }),
      );
    }
  }
  const invalid = problems.length > 0;
  const tagsRead = readAnnotation(annotations, ALB_ANNOTATIONS.tags);
  let tags: Record<string, string> = {};
  if (tagsRead.present) {
    const field = annotationField(ANNOTATION.tags);
    if (!tagsRead.ok) {
      const message = `${tagsRead.message}; the tags annotation is ignored`;
      problems.push(createProblem({ ingress: key, field, value: tagsRead.raw, message, scope: "rule" }));
    } else {
      const merged = mergeUserTags({}, tagsRead.value);
      tags = merged.tags;
      for (const refused of merged.refused) {
        const message = `tag key ${JSON.stringify(refused)} is reserved for Gannet's ownership tags; remove it (the tag is ignored)`;
        problems.push(createProblem({ ingress: key, field, value: tagsRead.raw, message, scope: "rule" }));
      }
    }
  }
  return { settings: settings as LoadBalancerAnnotations, stated, tags, problems, invalid };
}
