// Ingress front end: the group's agreed settings (group-settings.ts) described for the ALB model: the
// load balancer, one listener per listen port, the listener attributes, and where each setting that the
// model may refuse is stated (for its Problems).

import type {
  ListenerAttributesDescription,
  ListenerDescription,
  LoadBalancerDescription,
  StatedBy,
} from "../../../model/description.ts";
import { ANNOTATION_PREFIX, annotationField, objectKey } from "../../../model/problems.ts";
import { ANNOTATION, LISTENER_ATTRIBUTES_PREFIX } from "../annotations/annotation-registry.ts";
import type { MergedGroup } from "./group-settings.ts";
import { parseListenerKey } from "./member-addons.ts";

/** The described load balancer, listeners and listener attributes of a merged group. */
export interface LoadBalancerDescribed {
  readonly loadBalancer: LoadBalancerDescription;
  readonly listeners: readonly ListenerDescription[];
  readonly listenerAttributes: readonly ListenerAttributesDescription[];
}

/** Describes what the joined members agree on about the load balancer and its listeners. */
export function describeLoadBalancer(merged: MergedGroup): LoadBalancerDescribed {
  const { settings } = merged;
  const members = merged.members.map((m) => m.ingress);
  // One listener per listen port; the first member in group order to state a port sets its protocol.
  const protocols = new Map<number, "HTTP" | "HTTPS">();
  for (const m of merged.members)
    for (const p of m.listenPorts) if (!protocols.has(p.port)) protocols.set(p.port, p.protocol);
  const listeners = [...protocols.entries()]
    .sort(([a], [b]) => a - b)
    .map(
      ([port, protocol]): ListenerDescription =>
        protocol === "HTTPS"
          ? {
              port,
              protocol,
              sslPolicy: settings.sslPolicy,
              ...(settings.certificateArns.length > 0 ? { certificateArns: settings.certificateArns } : {}),
            }
          : { port, protocol },
    );
  // The members that state an annotation (all of them with `all`, "" for those that do not).
  const stated = (name: string, all = false): StatedBy[] =>
    members.flatMap((ingress) => {
      const value = ingress.metadata.annotations?.[`${ANNOTATION_PREFIX}${name}`];
      if (value === undefined && !all) return [];
      return [{ ingress: objectKey(ingress), field: annotationField(name), value: value ?? "" }];
    });
  // The backend security group's Problems name the first member that asks for it.
  const backendRulesBy =
    stated(ANNOTATION.manageBackendSecurityGroupRules)[0]?.ingress ??
    (members[0] ? objectKey(members[0]) : "");
  const waf = settings.wafv2AclArn;
  const loadBalancer: LoadBalancerDescription = {
    scheme: settings.scheme,
    ipAddressType: settings.ipAddressType,
    ...(settings.subnets ? { subnets: settings.subnets } : {}),
    subnetsStatedBy: stated(ANNOTATION.subnets, true),
    inboundCidrs: settings.inboundCidrs,
    ...(settings.loadBalancerName ? { name: settings.loadBalancerName } : {}),
    tags: settings.tags,
    ...(settings.securityGroups
      ? { securityGroups: { entries: settings.securityGroups, statedBy: stated(ANNOTATION.securityGroups) } }
      : {}),
    ...(settings.manageBackendSecurityGroupRules
      ? {
          backendSecurityGroup: {
            source: {
              ingress: backendRulesBy,
              field: annotationField(ANNOTATION.manageBackendSecurityGroupRules),
            },
          },
        }
      : {}),
    ...(settings.loadBalancerAttributes ? { attributes: settings.loadBalancerAttributes } : {}),
    ...(waf === undefined ? {} : { webAcl: waf === "none" ? { none: true as const } : { arn: waf } }),
    ...(merged.held ? { held: merged.held } : {}),
  };
  const listenerAttributes = Object.entries(settings.listenerAttributes ?? {}).flatMap(
    ([suffix, attributes]): ListenerAttributesDescription[] => {
      const listener = parseListenerKey(suffix);
      return listener
        ? [{ ...listener, attributes, statedBy: stated(`${LISTENER_ATTRIBUTES_PREFIX}${suffix}`) }]
        : [];
    },
  );
  return { loadBalancer, listeners, listenerAttributes };
}
