// Apply stage: carry out a group's ALB changes in order, one AWS call per change, resolving references
// (security group id, ALB ARN, target group ARNs by key, listener ARNs by port) as they appear. What it
// creates and deletes is returned as inventory effects: apply never writes into the observed inventory.

import type { DesiredGroup, RuleAction } from "../model/desired.ts";
import { buildOwnershipTags, type Owner } from "../model/ownership.ts";
import type { AwsPorts } from "../observe/observe-aws.ts";
import { type Change, describeChange } from "../plan/changes.ts";
import { toObservedAction } from "../plan/compare.ts";
import type { Bindings, GroupPlan } from "../plan/plan-group.ts";
import type { LoadBalancerSummary, ObservedAction } from "../types/alb.ts";
import type { InventoryEffect } from "../types/effects.ts";
import { classifyAwsError } from "./errors.ts";

/** What apply needs besides the plan. */
export interface ApplyContext {
  readonly ports: AwsPorts;
  readonly owner: Owner;
  readonly vpcId: string;
  readonly desired: DesiredGroup;
}

/** What apply did: the changes made (up to a failure), and their effects on the inventory. */
export interface ApplyResult {
  readonly applied: readonly Change[];
  /** The ALB this apply created, if it did. */
  readonly createdLoadBalancer?: LoadBalancerSummary;
  readonly effects: readonly InventoryEffect[];
  /** The change that failed, with what was applied before it; nothing after it was tried. */
  readonly failure?: ApplyError;
}

class Refs {
  securityGroupId: string | undefined;
  backendSecurityGroupId: string | undefined;
  loadBalancerArn: string | undefined;
  createdLoadBalancer: LoadBalancerSummary | undefined;
  readonly effects: InventoryEffect[] = [];
  readonly targetGroupArns: Map<string, string>;
  readonly listenerArns: Map<number, string>;

  constructor(b: Bindings) {
    this.securityGroupId = b.securityGroupId;
    this.backendSecurityGroupId = b.backendSecurityGroupId;
    this.loadBalancerArn = b.loadBalancerArn;
    this.createdLoadBalancer = undefined;
    this.targetGroupArns = new Map(Object.entries(b.targetGroupArns));
    this.listenerArns = new Map(Object.entries(b.listenerArns).map(([p, a]) => [Number(p), a]));
  }

  need<T>(value: T | undefined, what: string): T {
    if (value === undefined) throw new Error(`internal: ${what} is not known yet; the plan is out of order`);
    return value;
  }

  /** The ALB's security groups: the user's or the managed one, plus the backend one when wanted. */
  loadBalancerSecurityGroups(desired: DesiredGroup): string[] {
    const front = desired.loadBalancer?.securityGroupIds ?? [
      this.need(this.securityGroupId, "security group"),
    ];
    return desired.backendSecurityGroup
      ? [...front, this.need(this.backendSecurityGroupId, "backend security group")]
      : [...front];
  }

  actions(actions: readonly RuleAction[]): ObservedAction[] {
    return actions.map((a) =>
      toObservedAction(a, (key) => this.need(this.targetGroupArns.get(key), `target group ${key}`)),
    );
  }
}

async function applyChange(c: Change, refs: Refs, ctx: ApplyContext): Promise<void> {
  const { elbv2, ec2 } = ctx.ports;
  switch (c.kind) {
    case "createSecurityGroup": {
      const id = await ec2.createSecurityGroup(c.securityGroup, ctx.vpcId);
      refs.securityGroupId = id;
      refs.effects.push({
        kind: "securityGroupCreated",
        securityGroup: { id, name: c.securityGroup.name, ingress: [], tags: c.securityGroup.tags },
      });
      return;
    }
    case "authorizeIngress": {
      const id = refs.need(refs.securityGroupId, "security group");
      await ec2.authorizeIngress(id, c.rules);
      refs.effects.push({ kind: "securityGroupIngress", id, authorized: c.rules, revoked: [] });
      return;
    }
    case "revokeIngress": {
      await ec2.revokeIngress(c.securityGroupId, c.rules);
      refs.effects.push({
        kind: "securityGroupIngress",
        id: c.securityGroupId,
        authorized: [],
        revoked: c.rules,
      });
      return;
    }
    case "deleteSecurityGroup":
      await ec2.deleteSecurityGroup(c.securityGroupId);
      refs.effects.push({ kind: "securityGroupDeleted", id: c.securityGroupId });
      return;
    case "createLoadBalancer": {
      const lb = await elbv2.createLoadBalancer(c.loadBalancer, refs.loadBalancerSecurityGroups(ctx.desired));
      refs.loadBalancerArn = lb.arn;
      refs.createdLoadBalancer = lb;
      refs.effects.push({ kind: "loadBalancerCreated", loadBalancer: lb });
      return;
    }
    case "setSubnets":
      return elbv2.setSubnets(c.loadBalancerArn, c.subnetIds);
    case "setSecurityGroups":
      return elbv2.setSecurityGroups(c.loadBalancerArn, refs.loadBalancerSecurityGroups(ctx.desired));
    case "modifyLoadBalancerAttributes":
      return elbv2.modifyLoadBalancerAttributes(
        refs.need(refs.loadBalancerArn, "load balancer"),
        c.attributes,
      );
    case "associateWebAcl":
      return ctx.ports.wafv2.associateWebAcl(c.webAclArn, refs.need(refs.loadBalancerArn, "load balancer"));
    case "disassociateWebAcl":
      return ctx.ports.wafv2.disassociateWebAcl(c.loadBalancerArn);
    case "modifyTargetGroupAttributes":
      return elbv2.modifyTargetGroupAttributes(
        refs.need(refs.targetGroupArns.get(c.key), `target group ${c.key}`),
        c.attributes,
      );
    case "modifyListenerAttributes":
      return elbv2.modifyListenerAttributes(
        refs.need(refs.listenerArns.get(c.port), `listener ${c.port}`),
        c.attributes,
      );
    case "createBackendSecurityGroup": {
      const id = await ec2.createSecurityGroup(c.securityGroup, ctx.vpcId);
      refs.backendSecurityGroupId = id;
      refs.effects.push({
        kind: "securityGroupCreated",
        securityGroup: { id, name: c.securityGroup.name, ingress: [], tags: c.securityGroup.tags },
      });
      return;
    }
    case "authorizeBackendRules":
      return ec2.authorizeFromGroup({
        securityGroupId: c.securityGroupId,
        sourceSecurityGroupId: refs.need(refs.backendSecurityGroupId, "backend security group"),
        ports: c.ports,
        // EC2 allows 255 characters of a-zA-Z0-9 and ._-:/()#,@[]+=;{}!$* and spaces.
        description: `Gannet: Ingress group ${ctx.owner.group} load balancer to targets`.slice(0, 255),
        tags: buildOwnershipTags(ctx.owner, "security-group-rule"),
      });
    case "revokeBackendRules":
      return ec2.revokeRules(c.securityGroupId, c.ruleIds);
    case "setIpAddressType":
      return elbv2.setIpAddressType(c.loadBalancerArn, c.ipAddressType);
    case "deleteLoadBalancer":
      await elbv2.deleteLoadBalancer(c.loadBalancerArn);
      refs.effects.push({ kind: "loadBalancerDeleted", arn: c.loadBalancerArn });
      return;
    case "createTargetGroup": {
      const arn = await elbv2.createTargetGroup(c.targetGroup, ctx.vpcId);
      refs.targetGroupArns.set(c.targetGroup.key, arn);
      const { targets: _, ...targetGroup } = { ...c.targetGroup, arn, targetType: "ip" };
      refs.effects.push({ kind: "targetGroupCreated", targetGroup });
      return;
    }
    case "modifyTargetGroup": {
      const tg = ctx.desired.targetGroups.find((t) => t.key === c.key);
      return elbv2.modifyTargetGroup(c.targetGroupArn, c.healthCheck, tg?.protocolVersion ?? "HTTP1");
    }
    case "registerTargets":
      return elbv2.registerTargets(
        refs.need(refs.targetGroupArns.get(c.key), `target group ${c.key}`),
        c.targets,
      );
    case "deregisterTargets":
      return elbv2.deregisterTargets(c.targetGroupArn, c.targets);
    case "deleteTargetGroup":
      await elbv2.deleteTargetGroup(c.targetGroupArn);
      refs.effects.push({ kind: "targetGroupDeleted", arn: c.targetGroupArn });
      return;
    case "createListener": {
      const arn = await elbv2.createListener({
        ...c,
        defaultActions: refs.actions(c.defaultActions),
        loadBalancerArn: refs.need(refs.loadBalancerArn, "load balancer"),
        tags: buildOwnershipTags(ctx.owner, "listener", String(c.port)),
      });
      refs.listenerArns.set(c.port, arn);
      return;
    }
    case "modifyListener":
      return elbv2.modifyListener(c.listenerArn, { ...c, defaultActions: refs.actions(c.defaultActions) });
    case "deleteListener":
      return elbv2.deleteListener(c.listenerArn);
    case "addListenerCertificates":
      return elbv2.addListenerCertificates(
        refs.need(refs.listenerArns.get(c.port), `listener ${c.port}`),
        c.certificateArns,
      );
    case "removeListenerCertificates":
      return elbv2.removeListenerCertificates(c.listenerArn, c.certificateArns);
    case "deleteRule":
      return elbv2.deleteRule(c.ruleArn);
    case "modifyRule":
      return elbv2.modifyRule(c.ruleArn, {
        conditions: c.conditions,
        actions: refs.actions(c.actions),
        transforms: c.transforms,
        resetTransforms: c.resetTransforms,
      });
    case "setRulePriorities":
      return elbv2.setRulePriorities(c.priorities);
    case "createRule":
      await elbv2.createRule({
        listenerArn: refs.need(refs.listenerArns.get(c.port), `listener ${c.port}`),
        priority: c.priority,
        conditions: c.conditions,
        actions: refs.actions(c.actions),
        transforms: c.transforms,
        tags: buildOwnershipTags(ctx.owner, "rule"),
      });
      return;
  }
}

/** Raised when a change fails; carries what was applied before it and how to retry. */
export class ApplyError extends Error {
  override readonly name = "ApplyError";
  readonly applied: readonly Change[];
  readonly change: Change;
  readonly disposition: ReturnType<typeof classifyAwsError>;

  constructor(change: Change, applied: readonly Change[], cause: unknown) {
    const disposition = classifyAwsError(cause);
    const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`could not ${describeChange(change)}: ${detail}`, { cause });
    this.change = change;
    this.applied = applied;
    this.disposition = disposition;
  }
}

/** Runs the plan's changes in order; stops at the first failure (the next reconcile re-plans). */
export async function applyPlan(plan: GroupPlan, ctx: ApplyContext): Promise<ApplyResult> {
  const refs = new Refs(plan.bindings);
  const applied: Change[] = [];
  let failure: ApplyError | undefined;
  for (const change of plan.changes) {
    try {
      await applyChange(change, refs, ctx);
    } catch (cause) {
      failure = new ApplyError(change, [...applied], cause);
      break;
    }
    applied.push(change);
  }
  return {
    applied,
    effects: refs.effects,
    ...(refs.createdLoadBalancer ? { createdLoadBalancer: refs.createdLoadBalancer } : {}),
    ...(failure ? { failure } : {}),
  };
}
