// Ingress front end, whole: one Ingress group → its desired ALB, security groups, listeners, rules and
// target groups: the Ingress description (describe-group.ts) built by the ALB model
// (build-load-balancer.ts). Pure and deterministic: the same objects in any order give the same JSON.

import type { CurrentLoadBalancer, LoadBalancerModelInput } from "../../model/build-load-balancer.ts";
import { buildLoadBalancerModel } from "../../model/build-load-balancer.ts";
import type { DesiredGroup } from "../../model/desired.ts";
import { describeIngressGroup, type IngressGroupInput } from "./describe-group.ts";

export type { ClusterContext, CurrentLoadBalancer } from "../../model/build-load-balancer.ts";
/** The subnet shape, re-exported for the adapters that build `ClusterContext`. */
export type { Subnet } from "../../model/load-balancer/subnets.ts";

/**
 * Everything needed to build one Ingress group: its objects (`members` may include Ingresses being
 * deleted) and what the model reads besides (see `LoadBalancerModelInput`).
 */
export interface GroupInput extends IngressGroupInput, LoadBalancerModelInput {
  readonly current?: CurrentLoadBalancer;
}

/** Builds the desired state of one Ingress group. */
export function buildDesiredGroup(input: GroupInput): DesiredGroup {
  return buildLoadBalancerModel(describeIngressGroup(input), input);
}
