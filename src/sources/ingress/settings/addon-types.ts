// Ingress front end: the shapes of the load balancer add-ons (attributes, WAFv2) that members state and
// the group agrees on. Types only, so the annotation readers and the settings merge share them without
// importing each other.

import type { Problem } from "../../../model/desired.ts";

/** Attribute keys to values, as AWS stores them. */
export type Attributes = Readonly<Record<string, string>>;

/** The add-ons of an ALB: attributes of the load balancer and its listeners, and the WAFv2 web ACL. */
export interface AddonSettings {
  /** Only the stated keys: AWS keeps the others as they are. */
  readonly loadBalancerAttributes?: Attributes;
  /** By listener, `<Protocol>-<Port>` as in the annotation name (`HTTPS-443`). */
  readonly listenerAttributes?: Readonly<Record<string, Attributes>>;
  /** A Regional WAFv2 web ACL ARN, or `none` to remove the association; absent: left as it is. */
  readonly wafv2AclArn?: string;
}

/** The add-ons one member states (absent when not annotated or invalid). */
export interface MemberAddons extends AddonSettings {
  readonly problems: readonly Problem[];
}
