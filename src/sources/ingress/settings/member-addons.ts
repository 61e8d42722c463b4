// Ingress front end: what one member says about the ALB's attributes, its listeners' attributes and its WAFv2 web
// ACL. As in AWS LBC, only the stated keys are managed: AWS keeps the current value of every other key, so a
// bad value here is ignored with a Problem (scope "rule") and never replaced by a default. A member stays in
// the group; its routes do not depend on these.

import type { Problem } from "../../../model/desired.ts";
import type { Ingress } from "../../../model/kube-objects.ts";
import {
  ANNOTATION_PREFIX,
  annotationField,
  compareStrings,
  createProblem,
  objectKey,
} from "../../../model/problems.ts";
import {
  ALB_ANNOTATIONS,
  ANNOTATION,
  LISTENER_ATTRIBUTES_PREFIX,
} from "../annotations/annotation-registry.ts";
import { readAnnotation } from "../annotations/annotations.ts";
import type { Attributes, MemberAddons } from "./addon-types.ts";

/** The listener a `listener-attributes.<Protocol>-<Port>` suffix names, or undefined when malformed. */
export function parseListenerKey(suffix: string): { protocol: "HTTP" | "HTTPS"; port: number } | undefined {
  const m = /^(HTTP|HTTPS)-([1-9]\d{0,4})$/.exec(suffix);
  if (!m || Number(m[2]) > 65535) return undefined;
  return { protocol: m[1] as "HTTP" | "HTTPS", port: Number(m[2]) };
}

/** Reads `load-balancer-attributes`, `listener-attributes.*` and `wafv2-acl-arn` of one Ingress. */
export function readMemberAddons(ingress: Ingress): MemberAddons {
  const annotations = ingress.metadata.annotations;
  const key = objectKey(ingress);
  const problems: Problem[] = [];
  const report = (name: string, value: string, message: string) =>
    problems.push(
      createProblem({ ingress: key, field: annotationField(name), value, message, scope: "rule" }),
    );
  const out: { -readonly [K in keyof MemberAddons]: MemberAddons[K] } = { problems };

  const lb = readAnnotation(annotations, ALB_ANNOTATIONS.loadBalancerAttributes);
  if (lb.present && lb.ok) out.loadBalancerAttributes = lb.value;
  else if (lb.present)
    report(
      ANNOTATION.loadBalancerAttributes,
      lb.raw,
      `${lb.message}; the annotation is ignored and the load balancer keeps its current attributes`,
    );

  const listeners: Record<string, Attributes> = {};
  const names = Object.keys(annotations ?? {})
    .filter((k) => k.startsWith(`${ANNOTATION_PREFIX}${LISTENER_ATTRIBUTES_PREFIX}`))
    .map((k) => k.slice(ANNOTATION_PREFIX.length))
    .sort(compareStrings);
  for (const name of names) {
    const suffix = name.slice(LISTENER_ATTRIBUTES_PREFIX.length);
    const raw = annotations?.[`${ANNOTATION_PREFIX}${name}`] ?? "";
    if (!parseListenerKey(suffix)) {
      report(
        name,
        raw,
        `the annotation name must end in <Protocol>-<Port>, like listener-attributes.HTTPS-443; it has no effect`,
      );
      continue;
    }
    const read = readAnnotation(annotations, {
      name,
      schema: ALB_ANNOTATIONS.listenerAttributes.schema,
    });
    if (read.present && read.ok) listeners[suffix] = read.value;
    else if (read.present)
      report(
        name,
        raw,
        `${read.message}; the annotation is ignored and the listener keeps its current attributes`,
      );
  }
  if (Object.keys(listeners).length > 0) out.listenerAttributes = listeners;

  const waf = readAnnotation(annotations, ALB_ANNOTATIONS.wafv2AclArn);
  if (waf.present && waf.ok) out.wafv2AclArn = waf.value;
  else if (waf.present)
    report(
      ANNOTATION.wafv2AclArn,
      waf.raw,
      `${waf.message}; the annotation is ignored and the load balancer keeps its current web ACL`,
    );

  const sgs = annotations?.[`${ANNOTATION_PREFIX}${ANNOTATION.securityGroups}`];
  const cidrs = annotations?.[`${ANNOTATION_PREFIX}${ANNOTATION.inboundCidrs}`];
  if (sgs !== undefined && cidrs !== undefined) {
    report(
      ANNOTATION.inboundCidrs,
      cidrs,
      "has no effect with security-groups: the load balancer uses your security groups as they are (open the listen ports in them), as AWS LBC does; remove one of the two annotations",
    );
  }
  return out;
}
