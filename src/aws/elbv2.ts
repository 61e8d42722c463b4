// AWS adapter: the narrow ELBv2 port the core uses. Paging and tag batching are hidden here.

import {
  AddListenerCertificatesCommand,
  AddTagsCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeListenerAttributesCommand,
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  ListenerNotFoundException,
  type LoadBalancer,
  LoadBalancerNotFoundException,
  ModifyListenerAttributesCommand,
  ModifyListenerCommand,
  ModifyLoadBalancerAttributesCommand,
  ModifyRuleCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  paginateDescribeListenerCertificates,
  paginateDescribeLoadBalancers,
  paginateDescribeRules,
  paginateDescribeTargetGroups,
  RegisterTargetsCommand,
  RemoveListenerCertificatesCommand,
  RemoveTagsCommand,
  RuleNotFoundException,
  SetIpAddressTypeCommand,
  SetRulePrioritiesCommand,
  SetSecurityGroupsCommand,
  SetSubnetsCommand,
  type TagDescription,
  type TargetGroup,
  TargetGroupNotFoundException,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { DesiredLoadBalancer, DesiredTargetGroup } from "../model/desired.ts";
import { TAG } from "../model/ownership.ts";
import type {
  HealthCheck,
  LoadBalancerSummary,
  ObservedAction,
  ObservedListener,
  ObservedRule,
  RuleCondition,
  RuleTransform,
  Target,
  TargetGroupSummary,
} from "../types/alb.ts";
import {
  fromSdkAction,
  fromSdkCondition,
  fromSdkTransform,
  healthCheckOf,
  healthCheckParams,
  sortActions,
  tagList,
  tagMap,
  toSdkAction,
  toSdkCondition,
  toSdkTransform,
} from "./elbv2-convert.ts";

const TAG_BATCH = 20;

/** How long tags read from ELBv2 are trusted: ownership tags of an ARN do not change once set. */
const TAG_CACHE_MS = 10 * 60_000;

/** True when an ARN asked for is gone (deleted by someone else since it was listed). */
function isNotFound(err: unknown): boolean {
  return (
    err instanceof LoadBalancerNotFoundException ||
    err instanceof TargetGroupNotFoundException ||
    err instanceof ListenerNotFoundException ||
    err instanceof RuleNotFoundException
  );
}

function toLoadBalancerSummary(lb: LoadBalancer, tags: Record<string, string>): LoadBalancerSummary {
  return {
    arn: lb.LoadBalancerArn ?? "",
    name: lb.LoadBalancerName ?? "",
    dnsName: lb.DNSName ?? "",
    canonicalHostedZoneId: lb.CanonicalHostedZoneId ?? "",
    scheme: lb.Scheme ?? "",
    ipAddressType: lb.IpAddressType ?? "ipv4",
    subnetIds: (lb.AvailabilityZones ?? []).map((z) => z.SubnetId ?? "").filter((id) => id !== ""),
    securityGroupIds: lb.SecurityGroups ?? [],
    tags,
  };
}

function toTargetGroupSummary(tg: TargetGroup, tags: Record<string, string>): TargetGroupSummary {
  return {
    arn: tg.TargetGroupArn ?? "",
    name: tg.TargetGroupName ?? "",
    key: tags[TAG.key] ?? "",
    protocol: tg.Protocol ?? "HTTP",
    protocolVersion: tg.ProtocolVersion ?? "HTTP1",
    port: tg.Port ?? 0,
    targetType: tg.TargetType ?? "",
    healthCheck: healthCheckOf(tg),
    tags,
  };
}

/** The ELBv2 calls Gannet makes. */
export class Elbv2Port {
  private readonly client: ElasticLoadBalancingV2Client;
  // A read cache only (never needed to converge): a fresh process reads every tag once.
  private readonly tagCache = new Map<string, { tags: Record<string, string>; at: number }>();

  constructor(client: ElasticLoadBalancingV2Client) {
    this.client = client;
  }

  /** Tags of many resources, 20 ARNs per call; tags read in the last 10 minutes are not read again. */
  async describeTags(arns: readonly string[]): Promise<Map<string, Record<string, string>>> {
    const out = new Map<string, Record<string, string>>();
    const now = Date.now();
    if (this.tagCache.size > 50_000) {
      for (const [arn, e] of this.tagCache) if (now - e.at >= TAG_CACHE_MS) this.tagCache.delete(arn);
    }
    const missing: string[] = [];
    for (const arn of arns) {
      const hit = this.tagCache.get(arn);
      if (hit && now - hit.at < TAG_CACHE_MS) out.set(arn, hit.tags);
      else missing.push(arn);
    }
    for (let i = 0; i < missing.length; i += TAG_BATCH) {
      for (const d of await this.describeTagBatch(missing.slice(i, i + TAG_BATCH))) {
        if (!d.ResourceArn) continue;
        const tags = tagMap(d.Tags);
        out.set(d.ResourceArn, tags);
        this.tagCache.set(d.ResourceArn, { tags, at: now });
      }
    }
    return out;
  }

  // DescribeTags fails whole when one ARN is gone (deleted by someone else since it was listed):
  // then ask one by one and skip the missing ones.
  private async describeTagBatch(arns: readonly string[]): Promise<TagDescription[]> {
    try {
      return (
        (await this.client.send(new DescribeTagsCommand({ ResourceArns: [...arns] }))).TagDescriptions ?? []
      );
    } catch (err) {
      if (!isNotFound(err) || arns.length === 1) {
        if (isNotFound(err)) return [];
        throw err;
      }
      const out: TagDescription[] = [];
      for (const arn of arns) out.push(...(await this.describeTagBatch([arn])));
      return out;
    }
  }

  /** Adds or overwrites tags on a resource (and in the read cache). */
  async addTags(arn: string, tags: Readonly<Record<string, string>>): Promise<void> {
    await this.client.send(new AddTagsCommand({ ResourceArns: [arn], Tags: tagList(tags) }));
    const hit = this.tagCache.get(arn);
    if (hit) this.tagCache.set(arn, { tags: { ...hit.tags, ...tags }, at: hit.at });
  }

  /** Removes tags from a resource (and from the read cache). */
  async removeTags(arn: string, keys: readonly string[]): Promise<void> {
    await this.client.send(new RemoveTagsCommand({ ResourceArns: [arn], TagKeys: [...keys] }));
    const hit = this.tagCache.get(arn);
    if (hit) {
      const tags = { ...hit.tags };
      for (const k of keys) delete tags[k];
      this.tagCache.set(arn, { tags, at: hit.at });
    }
  }

  private remember(arn: string, tags: Readonly<Record<string, string>>): void {
    this.tagCache.set(arn, { tags: { ...tags }, at: Date.now() });
  }

  /** Every application load balancer in the region, with tags (the caller filters by ownership). */
  async listLoadBalancers(): Promise<LoadBalancerSummary[]> {
    const all: LoadBalancer[] = [];
    for await (const res of paginateDescribeLoadBalancers({ client: this.client }, { PageSize: 400 })) {
      all.push(
        ...(res.LoadBalancers ?? []).filter((lb) => lb.Type === "application" || lb.Type === undefined),
      );
    }
    const tags = await this.describeTags(all.map((lb) => lb.LoadBalancerArn ?? ""));
    return all.map((lb) => toLoadBalancerSummary(lb, tags.get(lb.LoadBalancerArn ?? "") ?? {}));
  }

  /** Every target group in the region, with tags (the caller filters by ownership). */
  async listTargetGroups(): Promise<TargetGroupSummary[]> {
    const all: TargetGroup[] = [];
    for await (const res of paginateDescribeTargetGroups({ client: this.client }, { PageSize: 400 }))
      all.push(...(res.TargetGroups ?? []));
    const tags = await this.describeTags(all.map((tg) => tg.TargetGroupArn ?? ""));
    return all.map((tg) => toTargetGroupSummary(tg, tags.get(tg.TargetGroupArn ?? "") ?? {}));
  }

  /** Registered targets of a target group (every state but `draining`). */
  async listTargets(targetGroupArn: string): Promise<Target[]> {
    const res = await this.client.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
    return (res.TargetHealthDescriptions ?? [])
      .filter((d) => d.TargetHealth?.State !== "draining")
      .map((d) => ({ id: d.Target?.Id ?? "", port: d.Target?.Port ?? 0 }));
  }

  /** Listeners of a load balancer with their rules; `isOwned` decides from tags. */
  async listListeners(
    loadBalancerArn: string,
    isOwned: (tags: Record<string, string>) => boolean,
  ): Promise<ObservedListener[]> {
    const res = await this.client.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn }));
    const listeners = res.Listeners ?? [];
    const [rulesByListener, certsByListener] = await Promise.all([
      Promise.all(listeners.map((l) => this.listRules(l.ListenerArn ?? ""))),
      Promise.all(
        listeners.map((l) =>
          l.Protocol === "HTTPS"
            ? this.listListenerCertificates(l.ListenerArn ?? "")
            : Promise.resolve((l.Certificates ?? []).map((c) => c.CertificateArn ?? "")),
        ),
      ),
    ]);
    const arns = [...listeners.map((l) => l.ListenerArn ?? ""), ...rulesByListener.flat().map((r) => r.arn)];
    const tags = await this.describeTags(arns);
    return listeners.map((l, i) => ({
      arn: l.ListenerArn ?? "",
      port: l.Port ?? 0,
      protocol: l.Protocol ?? "HTTP",
      defaultActions: sortActions(l.DefaultActions).map(fromSdkAction),
      rules: (rulesByListener[i] ?? []).map((r) => ({ ...r, owned: isOwned(tags.get(r.arn) ?? {}) })),
      ...(l.SslPolicy ? { sslPolicy: l.SslPolicy } : {}),
      certificateArns: certsByListener[i] ?? [],
      owned: isOwned(tags.get(l.ListenerArn ?? "") ?? {}),
    }));
  }

  private async listRules(listenerArn: string): Promise<Omit<ObservedRule, "owned">[]> {
    const out: Omit<ObservedRule, "owned">[] = [];
    const pages = paginateDescribeRules({ client: this.client }, { ListenerArn: listenerArn, PageSize: 400 });
    for await (const res of pages) {
      for (const r of res.Rules ?? []) {
        if (r.IsDefault || r.Priority === "default") continue;
        out.push({
          arn: r.RuleArn ?? "",
          priority: Number(r.Priority),
          conditions: (r.Conditions ?? [])
            .map(fromSdkCondition)
            .filter((c): c is RuleCondition => c !== undefined),
          actions: sortActions(r.Actions).map(fromSdkAction),
          transforms: (r.Transforms ?? [])
            .map(fromSdkTransform)
            .filter((t): t is RuleTransform => t !== undefined),
        });
      }
    }
    return out;
  }

  /** Creates an ALB; always sends the scheme (emulators store an omitted one as nothing). */
  async createLoadBalancer(
    lb: DesiredLoadBalancer,
    securityGroupIds: readonly string[],
  ): Promise<LoadBalancerSummary> {
    const res = await this.client.send(
      new CreateLoadBalancerCommand({
        Name: lb.name,
        Type: "application",
        Scheme: lb.scheme,
        IpAddressType: lb.ipAddressType,
        Subnets: [...lb.subnetIds],
        SecurityGroups: [...securityGroupIds],
        Tags: tagList(lb.tags),
      }),
    );
    const created = res.LoadBalancers?.[0];
    if (!created?.LoadBalancerArn)
      throw new Error(`CreateLoadBalancer for ${lb.name} returned no load balancer`);
    this.remember(created.LoadBalancerArn, lb.tags);
    return toLoadBalancerSummary(created, { ...lb.tags });
  }

  async setSubnets(loadBalancerArn: string, subnetIds: readonly string[]): Promise<void> {
    await this.client.send(
      new SetSubnetsCommand({ LoadBalancerArn: loadBalancerArn, Subnets: [...subnetIds] }),
    );
  }

  async setSecurityGroups(loadBalancerArn: string, securityGroupIds: readonly string[]): Promise<void> {
    await this.client.send(
      new SetSecurityGroupsCommand({
        LoadBalancerArn: loadBalancerArn,
        SecurityGroups: [...securityGroupIds],
      }),
    );
  }

  async setIpAddressType(loadBalancerArn: string, ipAddressType: "ipv4" | "dualstack"): Promise<void> {
    await this.client.send(
      new SetIpAddressTypeCommand({ LoadBalancerArn: loadBalancerArn, IpAddressType: ipAddressType }),
    );
  }

  async deleteLoadBalancer(loadBalancerArn: string): Promise<void> {
    await this.client.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: loadBalancerArn }));
  }

  async createTargetGroup(tg: DesiredTargetGroup, vpcId: string): Promise<string> {
    const res = await this.client.send(
      new CreateTargetGroupCommand({
        Name: tg.name,
        Protocol: tg.protocol,
        ProtocolVersion: tg.protocolVersion,
        Port: tg.port,
        TargetType: tg.targetType,
        VpcId: vpcId,
        ...healthCheckParams(tg.healthCheck, tg.protocolVersion),
        Tags: tagList(tg.tags),
      }),
    );
    const arn = res.TargetGroups?.[0]?.TargetGroupArn;
    if (!arn) throw new Error(`CreateTargetGroup for ${tg.name} returned no ARN`);
    this.remember(arn, tg.tags);
    return arn;
  }

  async modifyTargetGroup(
    targetGroupArn: string,
    healthCheck: HealthCheck,
    protocolVersion: string,
  ): Promise<void> {
    const { HealthCheckEnabled: _, ...params } = healthCheckParams(healthCheck, protocolVersion);
    await this.client.send(new ModifyTargetGroupCommand({ TargetGroupArn: targetGroupArn, ...params }));
  }

  async registerTargets(targetGroupArn: string, targets: readonly Target[]): Promise<void> {
    await this.client.send(
      new RegisterTargetsCommand({
        TargetGroupArn: targetGroupArn,
        Targets: targets.map((t) => ({ Id: t.id, Port: t.port })),
      }),
    );
  }

  async deregisterTargets(targetGroupArn: string, targets: readonly Target[]): Promise<void> {
    await this.client.send(
      new DeregisterTargetsCommand({
        TargetGroupArn: targetGroupArn,
        Targets: targets.map((t) => ({ Id: t.id, Port: t.port })),
      }),
    );
  }

  async deleteTargetGroup(targetGroupArn: string): Promise<void> {
    await this.client.send(new DeleteTargetGroupCommand({ TargetGroupArn: targetGroupArn }));
  }

  async createListener(
    input: ListenerInput & { loadBalancerArn: string; tags: Record<string, string> },
  ): Promise<string> {
    const res = await this.client.send(
      new CreateListenerCommand({
        LoadBalancerArn: input.loadBalancerArn,
        ...listenerParams(input),
        Tags: tagList(input.tags),
      }),
    );
    const arn = res.Listeners?.[0]?.ListenerArn;
    if (!arn) throw new Error(`CreateListener on port ${input.port} returned no ARN`);
    this.remember(arn, input.tags);
    return arn;
  }

  async modifyListener(listenerArn: string, input: ListenerInput): Promise<void> {
    await this.client.send(new ModifyListenerCommand({ ListenerArn: listenerArn, ...listenerParams(input) }));
  }

  async addListenerCertificates(listenerArn: string, certificateArns: readonly string[]): Promise<void> {
    await this.client.send(
      new AddListenerCertificatesCommand({
        ListenerArn: listenerArn,
        Certificates: certificateArns.map((CertificateArn) => ({ CertificateArn })),
      }),
    );
  }

  async removeListenerCertificates(listenerArn: string, certificateArns: readonly string[]): Promise<void> {
    await this.client.send(
      new RemoveListenerCertificatesCommand({
        ListenerArn: listenerArn,
        Certificates: certificateArns.map((CertificateArn) => ({ CertificateArn })),
      }),
    );
  }

  /** The default certificate first, then the SNI ones sorted (AWS lists only the default on the listener). */
  async listListenerCertificates(listenerArn: string): Promise<string[]> {
    const all: { arn: string; isDefault: boolean }[] = [];
    const pages = paginateDescribeListenerCertificates({ client: this.client }, { ListenerArn: listenerArn });
    for await (const res of pages) {
      for (const c of res.Certificates ?? []) {
        if (c.CertificateArn) all.push({ arn: c.CertificateArn, isDefault: c.IsDefault === true });
      }
    }
    const defaults = all.filter((c) => c.isDefault).map((c) => c.arn);
    const sni = [...new Set(all.filter((c) => !c.isDefault).map((c) => c.arn))]
      .filter((a) => !defaults.includes(a))
      .sort();
    return [...defaults.slice(0, 1), ...sni];
  }

  async deleteListener(listenerArn: string): Promise<void> {
    await this.client.send(new DeleteListenerCommand({ ListenerArn: listenerArn }));
  }

  async createRule(
    input: RuleInput & { listenerArn: string; priority: number; tags: Record<string, string> },
  ): Promise<string> {
    const res = await this.client.send(
      new CreateRuleCommand({
        ListenerArn: input.listenerArn,
        Priority: input.priority,
        Conditions: input.conditions.map(toSdkCondition),
        Actions: input.actions.map((a, i) => toSdkAction(a, i + 1)),
        ...(input.transforms?.length ? { Transforms: input.transforms.map(toSdkTransform) } : {}),
        Tags: tagList(input.tags),
      }),
    );
    const arn = res.Rules?.[0]?.RuleArn;
    if (!arn) throw new Error(`CreateRule at priority ${input.priority} returned no ARN`);
    this.remember(arn, input.tags);
    return arn;
  }

  /** Replaces a rule's conditions and actions; transforms are replaced when given, removed on `resetTransforms`. */
  async modifyRule(ruleArn: string, input: RuleInput & { resetTransforms?: boolean }): Promise<void> {
    const transforms = input.transforms?.length
      ? { Transforms: input.transforms.map(toSdkTransform) }
      : input.resetTransforms
        ? { ResetTransforms: true }
        : {};
    await this.client.send(
      new ModifyRuleCommand({
        RuleArn: ruleArn,
        Conditions: input.conditions.map(toSdkCondition),
        Actions: input.actions.map((a, i) => toSdkAction(a, i + 1)),
        ...transforms,
      }),
    );
  }

  async setRulePriorities(priorities: readonly { ruleArn: string; priority: number }[]): Promise<void> {
    await this.client.send(
      new SetRulePrioritiesCommand({
        RulePriorities: priorities.map((p) => ({ RuleArn: p.ruleArn, Priority: p.priority })),
      }),
    );
  }

  async deleteRule(ruleArn: string): Promise<void> {
    await this.client.send(new DeleteRuleCommand({ RuleArn: ruleArn }));
  }

  /** Every attribute of a load balancer (one call). */
  async describeLoadBalancerAttributes(loadBalancerArn: string): Promise<Record<string, string>> {
    const res = await this.client.send(
      new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: loadBalancerArn }),
    );
    return attributeMap(res.Attributes);
  }

  /** Sets the given load balancer attributes; the others keep their values. */
  async modifyLoadBalancerAttributes(
    loadBalancerArn: string,
    attributes: Readonly<Record<string, string>>,
  ): Promise<void> {
    await this.client.send(
      new ModifyLoadBalancerAttributesCommand({
        LoadBalancerArn: loadBalancerArn,
        Attributes: attributeList(attributes),
      }),
    );
  }

  /** Every attribute of a target group (one call). */
  async describeTargetGroupAttributes(targetGroupArn: string): Promise<Record<string, string>> {
    const res = await this.client.send(
      new DescribeTargetGroupAttributesCommand({ TargetGroupArn: targetGroupArn }),
    );
    return attributeMap(res.Attributes);
  }

  /** Sets the given target group attributes; the others keep their values. */
  async modifyTargetGroupAttributes(
    targetGroupArn: string,
    attributes: Readonly<Record<string, string>>,
  ): Promise<void> {
    await this.client.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: targetGroupArn,
        Attributes: attributeList(attributes),
      }),
    );
  }

  /** Every attribute of a listener (one call). */
  async describeListenerAttributes(listenerArn: string): Promise<Record<string, string>> {
    const res = await this.client.send(new DescribeListenerAttributesCommand({ ListenerArn: listenerArn }));
    return attributeMap(res.Attributes);
  }

  /** Sets the given listener attributes; the others keep their values. */
  async modifyListenerAttributes(
    listenerArn: string,
    attributes: Readonly<Record<string, string>>,
  ): Promise<void> {
    await this.client.send(
      new ModifyListenerAttributesCommand({
        ListenerArn: listenerArn,
        Attributes: attributeList(attributes),
      }),
    );
  }
}

function attributeMap(
  attributes: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of attributes ?? []) if (a.Key) out[a.Key] = a.Value ?? "";
  return out;
}

function attributeList(attributes: Readonly<Record<string, string>>): { Key: string; Value: string }[] {
  return Object.entries(attributes)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([Key, Value]) => ({ Key, Value }));
}

/** Listener settings with actions already resolved to ARNs. */
export interface ListenerInput {
  readonly port: number;
  readonly protocol: "HTTP" | "HTTPS";
  readonly defaultActions: readonly ObservedAction[];
  readonly sslPolicy?: string;
  readonly certificateArn?: string;
}

/** Rule settings with actions already resolved to ARNs. */
export interface RuleInput {
  readonly conditions: readonly RuleCondition[];
  readonly actions: readonly ObservedAction[];
  readonly transforms?: readonly RuleTransform[];
}

function listenerParams(input: ListenerInput) {
  return {
    Port: input.port,
    Protocol: input.protocol,
    DefaultActions: input.defaultActions.map((a, i) => toSdkAction(a, i + 1)),
    ...(input.protocol === "HTTPS" && input.sslPolicy ? { SslPolicy: input.sslPolicy } : {}),
    ...(input.certificateArn ? { Certificates: [{ CertificateArn: input.certificateArn }] } : {}),
  };
}
