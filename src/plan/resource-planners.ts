// Plan stage: security group, load balancer, target groups and listeners. Pure.

import type {
  DesiredListener,
  DesiredLoadBalancer,
  DesiredSecurityGroup,
  DesiredTargetGroup,
  HealthCheck,
  Target,
} from "../model/desired.ts";
import type {
  ObservedListener,
  ObservedLoadBalancer,
  ObservedSecurityGroup,
  ObservedTargetGroup,
  PortCidr,
} from "../types/alb.ts";
import { planListenerAttributes, planTargetGroupAttributes } from "./addon-planners.ts";
import type { Change } from "./changes.ts";
import { type ArnOfKey, actionsEqual } from "./compare.ts";
import { planListenerRules } from "./rule-planner.ts";

const portCidrKey = (r: PortCidr) => `${r.port}/${r.cidr}`;
const targetKey = (t: Target) => `${t.id}:${t.port}`;

/** Items of `a` whose key is not in `b`. */
function minus<T>(a: readonly T[], b: readonly T[], key: (t: T) => string): T[] {
  const keys = new Set(b.map(key));
  return a.filter((x) => !keys.has(key(x)));
}

/** Security group: create it, or open and close ports to match. */
export function planSecurityGroup(
  desired: DesiredSecurityGroup | undefined,
  kept: ObservedSecurityGroup | undefined,
): Change[] {
  if (!desired) return [];
  if (!kept)
    return [
      { kind: "createSecurityGroup", securityGroup: desired },
      { kind: "authorizeIngress", rules: desired.ingress },
    ];
  const open = minus(desired.ingress, kept.ingress, portCidrKey);
  const close = minus(kept.ingress, desired.ingress, portCidrKey);
  return [
    ...(open.length ? [{ kind: "authorizeIngress", rules: open } as const] : []),
    ...(close.length ? [{ kind: "revokeIngress", securityGroupId: kept.id, rules: close } as const] : []),
  ];
}

/** Load balancer: create it, or fix its subnets, address type and (when they differ) security groups. */
export function planLoadBalancer(
  desired: DesiredLoadBalancer,
  kept: ObservedLoadBalancer | undefined,
  securityGroupsDiffer: boolean,
): Change[] {
  if (!kept) return [{ kind: "createLoadBalancer", loadBalancer: desired }];
  const changes: Change[] = [];
  const sameSubnets = [...kept.subnetIds].sort().join() === [...desired.subnetIds].sort().join();
  if (!sameSubnets)
    changes.push({ kind: "setSubnets", loadBalancerArn: kept.arn, subnetIds: desired.subnetIds });
  if (kept.ipAddressType !== desired.ipAddressType) {
    changes.push({
      kind: "setIpAddressType",
      loadBalancerArn: kept.arn,
      ipAddressType: desired.ipAddressType,
    });
  }
  if (securityGroupsDiffer) changes.push({ kind: "setSecurityGroups", loadBalancerArn: kept.arn });
  return changes;
}

function sameHealthCheck(a: HealthCheck, b: HealthCheck): boolean {
  return JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
}

/** Target groups: create missing ones, fix health checks and targets; returns the kept ones too. */
export function planTargetGroups(
  desired: readonly DesiredTargetGroup[],
  observed: readonly ObservedTargetGroup[],
): { changes: Change[]; kept: Map<string, ObservedTargetGroup>; unused: ObservedTargetGroup[] } {
  const changes: Change[] = [];
  const kept = new Map<string, ObservedTargetGroup>();
  for (const d of desired) {
    // A different name means an immutable setting changed: a new target group replaces the old one.
    const o = observed.find((t) => t.key === d.key && t.name === d.name);
    if (!o) {
      changes.push({ kind: "createTargetGroup", targetGroup: d });
      // Attributes first: slow start, for one, applies to targets registered after it is set.
      changes.push(...planTargetGroupAttributes(d, undefined));
      if (d.targets.length) changes.push({ kind: "registerTargets", key: d.key, targets: d.targets });
      continue;
    }
    kept.set(d.key, o);
    if (!sameHealthCheck(d.healthCheck, o.healthCheck)) {
      changes.push({
        kind: "modifyTargetGroup",
        targetGroupArn: o.arn,
        key: d.key,
        healthCheck: d.healthCheck,
      });
    }
    changes.push(...planTargetGroupAttributes(d, o));
    const add = minus(d.targets, o.targets, targetKey);
    const remove = minus(o.targets, d.targets, targetKey);
    if (add.length) changes.push({ kind: "registerTargets", key: d.key, targets: add });
    if (remove.length)
      changes.push({ kind: "deregisterTargets", targetGroupArn: o.arn, key: d.key, targets: remove });
  }
  const keptArns = new Set([...kept.values()].map((t) => t.arn));
  return { changes, kept, unused: observed.filter((t) => !keptArns.has(t.arn)) };
}

function listenerDiffers(d: DesiredListener, o: ObservedListener, arnOf: ArnOfKey): boolean {
  const defaultCert = d.certificateArns?.[0];
  return (
    o.protocol !== d.protocol ||
    !actionsEqual(d.defaultActions, o.defaultActions, arnOf) ||
    (d.protocol === "HTTPS" && (o.sslPolicy ?? "") !== (d.sslPolicy ?? "")) ||
    (defaultCert !== undefined && o.certificateArns[0] !== defaultCert)
  );
}

/** SNI certificates beside the default one: added and removed one set at a time. */
function planSniCertificates(d: DesiredListener, o: ObservedListener | undefined): Change[] {
  if (d.protocol !== "HTTPS") return [];
  const [defaultCert, ...wanted] = d.certificateArns ?? [];
  const have = new Set(o?.certificateArns.slice(1) ?? []);
  const add = wanted.filter((arn) => !have.has(arn));
  const remove = [...have].filter((arn) => !wanted.includes(arn) && arn !== defaultCert);
  return [
    ...(add.length ? [{ kind: "addListenerCertificates", port: d.port, certificateArns: add } as const] : []),
    ...(remove.length && o
      ? [
          {
            kind: "removeListenerCertificates",
            listenerArn: o.arn,
            port: d.port,
            certificateArns: remove,
          } as const,
        ]
      : []),
  ];
}

/** Listeners and their rules: create, update, delete; rules of each listener follow it. */
export function planListeners(
  desired: readonly DesiredListener[],
  observed: readonly ObservedListener[],
  arnOf: ArnOfKey,
): Change[] {
  const changes: Change[] = [];
  const owned = observed.filter((l) => l.owned);
  for (const o of owned) {
    if (!desired.some((d) => d.port === o.port))
      changes.push({ kind: "deleteListener", listenerArn: o.arn, port: o.port });
  }
  for (const d of [...desired].sort((a, b) => a.port - b.port)) {
    const o = owned.find((l) => l.port === d.port);
    const settings = {
      port: d.port,
      protocol: d.protocol,
      defaultActions: d.defaultActions,
      ...(d.protocol === "HTTPS" && d.sslPolicy ? { sslPolicy: d.sslPolicy } : {}),
      ...(d.certificateArns?.[0] ? { certificateArn: d.certificateArns[0] } : {}),
    };
    if (!o) changes.push({ kind: "createListener", ...settings });
    else if (listenerDiffers(d, o, arnOf))
      changes.push({ kind: "modifyListener", listenerArn: o.arn, ...settings });
    changes.push(...planListenerAttributes(d, o));
    changes.push(...planSniCertificates(d, o));
    changes.push(...planListenerRules(d.port, d.rules, o?.rules ?? [], arnOf));
  }
  return changes;
}
