// The reconciler against the real testbed: create -> converge -> update -> idempotent -> delete,
// with foreign load balancers and target groups in the same VPC left untouched.

import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand } from "@aws-sdk/client-ec2";
import {
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { V1Ingress } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TAG } from "../src/model/ownership.ts";
import { Scenario } from "./support/scenario.ts";
import { allLoadBalancers, awsClients, uniqueSuffix } from "./support/testbed.ts";

const aws = awsClients();

function ingress(
  paths: { path: string; pathType: string; service: string }[],
  host = "app.gannet.example.com",
): V1Ingress {
  return {
    metadata: { name: "app", annotations: { "alb.ingress.kubernetes.io/scheme": "internet-facing" } },
    spec: {
      ingressClassName: "gannet",
      rules: [
        {
          host,
          http: {
            paths: paths.map((p) => ({
              path: p.path,
              pathType: p.pathType,
              backend: { service: { name: p.service, port: { number: 80 } } },
            })),
          },
        },
      ],
    },
  };
}

/** Items whose ELBv2 tags name `cluster`, read with plain SDK calls (independent of Gannet's adapters). */
async function ownedBy<T>(
  items: readonly T[],
  arnOf: (t: T) => string | undefined,
  cluster: string,
): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < items.length; i += 20) {
    const batch = items.slice(i, i + 20);
    const tags = await aws.elbv2.send(
      new DescribeTagsCommand({ ResourceArns: batch.map((x) => arnOf(x) ?? "") }),
    );
    for (const d of tags.TagDescriptions ?? []) {
      const item = batch.find((x) => arnOf(x) === d.ResourceArn);
      if (item && d.Tags?.some((t) => t.Key === TAG.cluster && t.Value === cluster)) out.push(item);
    }
  }
  return out;
}

async function ownedLoadBalancers(cluster: string) {
  const lbs = await allLoadBalancers(aws.elbv2);
  return ownedBy(lbs, (l) => l.LoadBalancerArn, cluster);
}

async function ownedTargetGroups(cluster: string) {
  const tgs = (await aws.elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
  return ownedBy(tgs, (t) => t.TargetGroupArn, cluster);
}

async function rulesOf(lbArn: string) {
  const listeners =
    (await aws.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn }))).Listeners ?? [];
  const listener = listeners[0];
  const rules =
    (await aws.elbv2.send(new DescribeRulesCommand({ ListenerArn: listener?.ListenerArn ?? "" }))).Rules ??
    [];
  return {
    listeners,
    rules: rules.filter((r) => !r.IsDefault).sort((a, b) => Number(a.Priority) - Number(b.Priority)),
  };
}

async function targetsOf(tgArn: string) {
  const res = await aws.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
  return (res.TargetHealthDescriptions ?? []).map((d) => `${d.Target?.Id}:${d.Target?.Port}`).sort();
}

describe("reconcile one Ingress group on the real testbed", () => {
  const s = new Scenario();
  const foreign: { lbArn: string; tgArn: string } = { lbArn: "", tgArn: "" };

  beforeAll(async () => {
    await s.setUp();
    // Traps: an untagged ALB and target group, and ones tagged for another cluster, in the same VPC.
    const subnets =
      (
        await aws.ec2.send(
          new DescribeSubnetsCommand({ Filters: [{ Name: "tag-key", Values: ["kubernetes.io/role/elb"] }] }),
        )
      ).Subnets ?? [];
    const suffix = uniqueSuffix();
    const lb = await aws.elbv2.send(
      new CreateLoadBalancerCommand({
        Name: `foreign-${suffix}`,
        Scheme: "internet-facing",
        Subnets: subnets.slice(0, 2).map((x) => x.SubnetId ?? ""),
        Tags: [
          { Key: TAG.cluster, Value: `other-${suffix}` },
          { Key: TAG.group, Value: `${s.namespace}/app` },
        ],
      }),
    );
    const tg = await aws.elbv2.send(
      new CreateTargetGroupCommand({
        Name: `foreign-${suffix}`,
        Protocol: "HTTP",
        Port: 80,
        TargetType: "ip",
        VpcId: subnets[0]?.VpcId ?? "",
      }),
    );
    foreign.lbArn = lb.LoadBalancers?.[0]?.LoadBalancerArn ?? "";
    foreign.tgArn = tg.TargetGroups?.[0]?.TargetGroupArn ?? "";
    await s.putBackend({ name: "web", ready: ["10.20.1.10", "10.20.1.11"], notReady: ["10.20.1.12"] });
    await s.putBackend({ name: "api", ready: ["10.20.2.10"] });
  });
  afterAll(() => s.tearDown());

  it("converges: an ALB with a listener, rules per path and target groups of exactly the ready pod IPs", async () => {
    await s.putIngress(
      ingress([
        { path: "/", pathType: "Prefix", service: "web" },
        { path: "/api", pathType: "Prefix", service: "api" },
        { path: "/healthz", pathType: "Exact", service: "api" },
      ]),
    );

    const { outcomes } = await s.reconcile();

    expect(outcomes.map((o) => o.error)).toEqual([undefined]);
    const [lb] = await ownedLoadBalancers(s.cluster);
    expect(lb?.Scheme).toBe("internet-facing");
    const { listeners, rules } = await rulesOf(lb?.LoadBalancerArn ?? "");
    expect(listeners.map((l) => `${l.Protocol}:${l.Port}`)).toEqual(["HTTP:80"]);
    expect(
      rules.map((r) => r.Conditions?.find((c) => c.Field === "path-pattern")?.PathPatternConfig?.Values),
    ).toEqual([["/healthz"], ["/api", "/api/*"], ["/*"]]);
    const tgs = await ownedTargetGroups(s.cluster);
    const byKey = new Map<string, string[]>();
    for (const tg of tgs) byKey.set(tg?.TargetGroupName ?? "", await targetsOf(tg?.TargetGroupArn ?? ""));
    expect([...byKey.values()].sort()).toEqual(
      [["10.20.1.10:8080", "10.20.1.11:8080"], ["10.20.2.10:8080"]].sort(),
    );
    const sgs = await aws.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: lb?.SecurityGroups ?? [] }));
    expect(sgs.SecurityGroups?.[0]?.IpPermissions?.map((p) => p.FromPort)).toEqual([80]);
    const status = await s.getIngress("app");
    expect(status?.status?.loadBalancer?.ingress?.[0]?.hostname).toBe(lb?.DNSName);
    expect(status?.metadata?.finalizers).toContain("gannet.io/resources");
    const events = await s.events("app");
    expect(events.map((e) => `${e.type}/${e.reason}`)).toContain("Normal/SuccessfullyReconciled");
  });

  it("makes no AWS change on a second pass (no mutating call at all)", async () => {
    const { totals, outcomes } = await s.reconcile();

    expect(outcomes[0]?.planned).toEqual([]);
    expect(totals.mutating).toBe(0);
  });

  it("resyncs a converged group without reading its AWS state (the ALB's fingerprint matches)", async () => {
    const { calls, totals, outcomes } = await s.reconcile([], { verify: false });

    expect(outcomes[0]?.hostname).toMatch(/\.elb\.amazonaws\.com$/);
    expect(totals.mutating).toBe(0);
    expect(
      Object.keys(calls).filter((k) => /DescribeListeners|DescribeRules|DescribeTargetHealth/.test(k)),
    ).toEqual([]);
  });

  it("adds a path with one new rule and leaves the listener alone", async () => {
    await s.putIngress(
      ingress([
        { path: "/", pathType: "Prefix", service: "web" },
        { path: "/api", pathType: "Prefix", service: "api" },
        { path: "/healthz", pathType: "Exact", service: "api" },
        { path: "/static", pathType: "Prefix", service: "web" },
      ]),
    );

    const { calls } = await s.reconcile();

    expect(calls["ElasticLoadBalancingV2:CreateRule"]).toBe(1);
    expect(calls["ElasticLoadBalancingV2:ModifyListener"]).toBeUndefined();
    expect(calls["ElasticLoadBalancingV2:CreateListener"]).toBeUndefined();
  });

  it("changes a backend with one ModifyRule", async () => {
    await s.putIngress(
      ingress([
        { path: "/", pathType: "Prefix", service: "web" },
        { path: "/api", pathType: "Prefix", service: "api" },
        { path: "/healthz", pathType: "Exact", service: "web" },
        { path: "/static", pathType: "Prefix", service: "web" },
      ]),
    );

    const { calls, totals } = await s.reconcile();

    expect(calls["ElasticLoadBalancingV2:ModifyRule"]).toBe(1);
    // Besides the rule, only the ALB's fingerprint: removed before the change, written after it.
    expect(calls["ElasticLoadBalancingV2:RemoveTags"]).toBe(1);
    expect(calls["ElasticLoadBalancingV2:AddTags"]).toBe(1);
    expect(totals.mutating).toBe(3);
  });

  it("follows endpoints: scale up, scale down, a pod turning unready", async () => {
    await s.putBackend({ name: "web", ready: ["10.20.1.10", "10.20.1.13"], notReady: ["10.20.1.11"] });

    const { calls } = await s.reconcile();

    const tgs = await ownedTargetGroups(s.cluster);
    const all = (await Promise.all(tgs.map((t) => targetsOf(t?.TargetGroupArn ?? "")))).flat().sort();
    expect(all).toEqual(["10.20.1.10:8080", "10.20.1.13:8080", "10.20.2.10:8080"]);
    expect(calls["ElasticLoadBalancingV2:RegisterTargets"]).toBe(1);
    expect(calls["ElasticLoadBalancingV2:DeregisterTargets"]).toBe(1);
  });

  it("deletes everything when the Ingress goes, then releases the finalizer; foreign resources stay", async () => {
    await s.kube.networking.deleteNamespacedIngress({ name: "app", namespace: s.namespace });

    const { outcomes } = await s.reconcile();

    expect(outcomes.map((o) => o.error)).toEqual([undefined]);
    expect(await ownedLoadBalancers(s.cluster)).toEqual([]);
    expect(await ownedTargetGroups(s.cluster)).toEqual([]);
    expect(await s.getIngress("app")).toBeUndefined();
    const sgs = await aws.ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: `tag:${TAG.cluster}`, Values: [s.cluster] }] }),
    );
    expect(sgs.SecurityGroups).toEqual([]);
    const stillThere = await aws.elbv2.send(
      new DescribeLoadBalancersCommand({ LoadBalancerArns: [foreign.lbArn] }),
    );
    expect(stillThere.LoadBalancers).toHaveLength(1);
    const tgThere = await aws.elbv2.send(
      new DescribeTargetGroupsCommand({ TargetGroupArns: [foreign.tgArn] }),
    );
    expect(tgThere.TargetGroups).toHaveLength(1);
  });
});
