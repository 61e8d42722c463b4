// Plan stage: attributes (load balancer, target groups, listeners) and the WAFv2 web ACL. Pure.
// Only stated attribute keys are compared, and only those that differ are sent: AWS keeps the others, as
// AWS LBC documents ("only attributes defined in the annotation will be updated").

import type { DesiredListener, DesiredLoadBalancer, DesiredTargetGroup } from "../model/desired.ts";
import type { ObservedListener, ObservedLoadBalancer, ObservedTargetGroup } from "../types/alb.ts";
import type { Change } from "./changes.ts";

/** The desired attributes whose value AWS does not hold yet (all of them when nothing was read). */
export function differingAttributes(
  desired: Readonly<Record<string, string>> | undefined,
  observed: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  return Object.fromEntries(Object.entries(desired ?? {}).filter(([k, v]) => observed?.[k] !== v));
}

/** Attributes of the ALB; `kept` is undefined when the ALB is created by this plan. */
export function planLoadBalancerAttributes(
  desired: DesiredLoadBalancer,
  kept: ObservedLoadBalancer | undefined,
): Change[] {
  const attributes = differingAttributes(desired.attributes, kept?.attributes);
  return Object.keys(attributes).length ? [{ kind: "modifyLoadBalancerAttributes", attributes }] : [];
}

/** The ALB's web ACL association; `kept` is undefined when the ALB is created by this plan. */
export function planWebAcl(desired: DesiredLoadBalancer, kept: ObservedLoadBalancer | undefined): Change[] {
  const changes: Change[] = [];
  const acl = desired.webAcl;
  const current = kept?.webAcl?.arn;
  if (acl && "arn" in acl && current !== acl.arn)
    changes.push({ kind: "associateWebAcl", webAclArn: acl.arn });
  if (acl && "none" in acl && kept && current !== undefined)
    changes.push({ kind: "disassociateWebAcl", loadBalancerArn: kept.arn, webAclArn: current });
  return changes;
}

/** Attributes of one target group; `kept` is undefined when the target group is created by this plan. */
export function planTargetGroupAttributes(
  desired: DesiredTargetGroup,
  kept: ObservedTargetGroup | undefined,
): Change[] {
  const attributes = differingAttributes(desired.attributes, kept?.attributes);
  return Object.keys(attributes).length
    ? [{ kind: "modifyTargetGroupAttributes", key: desired.key, attributes }]
    : [];
}

/** Attributes of one listener; `kept` is undefined when the listener is created by this plan. */
export function planListenerAttributes(
  desired: DesiredListener,
  kept: ObservedListener | undefined,
): Change[] {
  const attributes = differingAttributes(desired.attributes, kept?.attributes);
  return Object.keys(attributes).length
    ? [{ kind: "modifyListenerAttributes", port: desired.port, attributes }]
    : [];
}
