// Shared types: what an apply did to the AWS resources a pass keeps in its inventory, so the inventory
// (observed once per pass, shared by its groups) learns it without apply writing into it.
// Below every stage and adapter: this folder imports nothing of Gannet's.

import type { LoadBalancerSummary, ObservedSecurityGroup, PortCidr, TargetGroupSummary } from "./alb.ts";

/** One effect of an apply on the pass's inventory, in the order it happened. */
export type InventoryEffect =
  | { readonly kind: "loadBalancerCreated"; readonly loadBalancer: LoadBalancerSummary }
  | { readonly kind: "loadBalancerDeleted"; readonly arn: string }
  | { readonly kind: "targetGroupCreated"; readonly targetGroup: TargetGroupSummary }
  | { readonly kind: "targetGroupDeleted"; readonly arn: string }
  | { readonly kind: "securityGroupCreated"; readonly securityGroup: ObservedSecurityGroup }
  | { readonly kind: "securityGroupDeleted"; readonly id: string }
  | {
      readonly kind: "securityGroupIngress";
      readonly id: string;
      readonly authorized: readonly PortCidr[];
      readonly revoked: readonly PortCidr[];
    }
  | { readonly kind: "recordsChanged"; readonly zoneId: string }
  /** The fingerprint tag of an ALB: written (`value`) or removed. */
  | { readonly kind: "stateTag"; readonly arn: string; readonly value?: string };
