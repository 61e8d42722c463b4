// Model stage: the merged add-ons (group-addons.ts) placed on the desired ALB and listeners.
// `listener-attributes.<Protocol>-<Port>` applies to the listener of that port and protocol; one the group
// does not have is reported (it would have no effect).

import { LISTENER_ATTRIBUTES_PREFIX } from "./annotation-registry.ts";
import type { DesiredListener, DesiredLoadBalancer, Problem } from "./desired.ts";
import type { GroupMember, GroupSettings } from "./group-settings.ts";
import { parseListenerKey } from "./member-addons.ts";
import { ANNOTATION_PREFIX, annotationField, createProblem, objectKey } from "./problems.ts";

/** The ALB's attributes and web ACL, the listeners with their attributes, and the Problems found. */
export interface LoadBalancerAddons {
  readonly loadBalancer: Pick<DesiredLoadBalancer, "attributes" | "webAcl">;
  readonly listeners: readonly DesiredListener[];
  readonly problems: readonly Problem[];
}

/** Places the agreed add-ons; `members` are the joined members, for naming those that state a lost key. */
export function buildLoadBalancerAddons(
  settings: GroupSettings,
  listeners: readonly DesiredListener[],
  members: readonly GroupMember[],
): LoadBalancerAddons {
  const problems: Problem[] = [];
  const wanted = settings.listenerAttributes ?? {};
  for (const suffix of Object.keys(wanted)) {
    const target = parseListenerKey(suffix);
    const listener = listeners.find((l) => l.port === target?.port);
    if (listener && listener.protocol === target?.protocol) continue;
    // An HTTPS listener waiting for its certificate is not built yet: its attributes apply once it is.
    const listened = members.some((m) =>
      m.listenPorts.some((p) => p.port === target?.port && p.protocol === target.protocol),
    );
    if (!listener && listened) continue;
    const name = `${LISTENER_ATTRIBUTES_PREFIX}${suffix}`;
    const why = listener
      ? `the listener on port ${listener.port} is ${listener.protocol}, not ${target?.protocol}`
      : `the load balancer has no listener on port ${target?.port} (listeners: ${listeners.map((l) => `${l.protocol}-${l.port}`).join(", ") || "none"})`;
    for (const { ingress } of members) {
      const value = ingress.metadata.annotations?.[`${ANNOTATION_PREFIX}${name}`];
      if (value === undefined) continue;
      problems.push(
        createProblem({
          ingress: objectKey(ingress),
          field: annotationField(name),
          value,
          message: `${why}, so this annotation has no effect: name a listener of listen-ports`,
          scope: "rule",
        }),
      );
    }
  }
  const waf = settings.wafv2AclArn;
  return {
    loadBalancer: {
      ...(settings.loadBalancerAttributes ? { attributes: settings.loadBalancerAttributes } : {}),
      ...(waf === undefined ? {} : { webAcl: waf === "none" ? { none: true as const } : { arn: waf } }),
    },
    listeners: listeners.map((l) => {
      const attributes = wanted[`${l.protocol}-${l.port}`];
      return attributes ? { ...l, attributes } : l;
    }),
    problems,
  };
}
