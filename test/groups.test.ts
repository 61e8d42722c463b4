// Shared groups on the real testbed: two members on one ALB, a bad member that hurts nobody, a
// missing backend answered with 503, and a member leaving while the other stays.

import {
  DescribeListenersCommand,
  DescribeRulesCommand,
  type Rule,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { V1Ingress } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostOfRule } from "./support/alb-evaluator.ts";
import { Scenario } from "./support/scenario.ts";
import { allLoadBalancers, awsClients } from "./support/testbed.ts";

const aws = awsClients();

function member(
  name: string,
  opts: { order?: number; host: string; service: string; scheme?: string },
): V1Ingress {
  return {
    metadata: {
      name,
      annotations: {
        "alb.ingress.kubernetes.io/group.name": "",
        "alb.ingress.kubernetes.io/group.order": String(opts.order ?? 0),
        ...(opts.scheme ? { "alb.ingress.kubernetes.io/scheme": opts.scheme } : {}),
      },
    },
    spec: {
      ingressClassName: "gannet",
      rules: [
        {
          host: opts.host,
          http: {
            paths: [
              {
                path: "/",
                pathType: "Prefix",
                backend: { service: { name: opts.service, port: { number: 80 } } },
              },
            ],
          },
        },
      ],
    },
  };
}

async function rulesOfHostname(hostname: string | undefined): Promise<Rule[]> {
  const lbs = await allLoadBalancers(aws.elbv2);
  const lb = lbs.find((l) => l.DNSName === hostname);
  const listeners =
    (await aws.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb?.LoadBalancerArn ?? "" })))
      .Listeners ?? [];
  const rules =
    (await aws.elbv2.send(new DescribeRulesCommand({ ListenerArn: listeners[0]?.ListenerArn ?? "" })))
      .Rules ?? [];
  return rules.filter((r) => !r.IsDefault).sort((a, b) => Number(a.Priority) - Number(b.Priority));
}

const hostOf = (r: Rule) => hostOfRule(r);

describe("an Ingress group shared by several Ingresses", () => {
  const s = new Scenario();
  const group = `shop-${s.namespace}`;
  const withGroup = (i: V1Ingress): V1Ingress => ({
    ...i,
    metadata: {
      ...i.metadata,
      annotations: { ...i.metadata?.annotations, "alb.ingress.kubernetes.io/group.name": group },
    },
  });

  beforeAll(async () => {
    await s.setUp();
    await s.putBackend({ name: "cart", ready: ["10.20.3.10"] });
    await s.putBackend({ name: "shop", ready: ["10.20.3.20"] });
  });
  afterAll(() => s.tearDown());

  it("puts both members on one ALB, rules in group order", async () => {
    await s.putIngress(
      withGroup(member("cart", { order: 2, host: "cart.gannet.example.com", service: "cart" })),
    );
    await s.putIngress(
      withGroup(
        member("shop", { order: 1, host: "shop.gannet.example.com", service: "shop", scheme: "internal" }),
      ),
    );

    const { outcomes } = await s.reconcile();

    expect(outcomes.map((o) => [o.group, o.error])).toEqual([[group, undefined]]);
    const cart = await s.getIngress("cart");
    const shop = await s.getIngress("shop");
    const hostname = cart?.status?.loadBalancer?.ingress?.[0]?.hostname;
    expect(hostname).toBeDefined();
    expect(shop?.status?.loadBalancer?.ingress?.[0]?.hostname).toBe(hostname);
    expect((await rulesOfHostname(hostname)).map(hostOf)).toEqual([
      "shop.gannet.example.com",
      "cart.gannet.example.com",
    ]);
  });

  it("answers 503 for a missing backend Service, warns on that Ingress, and converges the rest", async () => {
    await s.putIngress(
      withGroup(member("broken", { order: 3, host: "broken.gannet.example.com", service: "nope" })),
    );

    const { outcomes } = await s.reconcile();

    expect(outcomes[0]?.error).toBeUndefined();
    const hostname = (await s.getIngress("broken"))?.status?.loadBalancer?.ingress?.[0]?.hostname;
    const rules = await rulesOfHostname(hostname);
    const broken = rules.find((r) => hostOf(r) === "broken.gannet.example.com");
    expect(broken?.Actions?.[0]?.FixedResponseConfig?.StatusCode).toBe("503");
    expect(rules.map(hostOf)).toContain("cart.gannet.example.com");
    const warnings = (await s.events("broken")).filter((e) => e.type === "Warning");
    expect(warnings.map((e) => e.message).join("\n")).toMatch(/nope/);
  });

  it("keeps a newer member whose scheme conflicts with an older member's out of the group, ALB untouched", async () => {
    // creationTimestamp has a one-second resolution: make sure this member is the newest.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await s.putIngress(
      withGroup(
        member("rogue", {
          order: 4,
          host: "rogue.gannet.example.com",
          service: "shop",
          scheme: "internet-facing",
        }),
      ),
    );

    const { outcomes } = await s.reconcile();

    expect(outcomes[0]?.error).toBeUndefined();
    const hostname = (await s.getIngress("cart"))?.status?.loadBalancer?.ingress?.[0]?.hostname;
    const rules = await rulesOfHostname(hostname);
    expect(rules.map(hostOf)).not.toContain("rogue.gannet.example.com");
    expect(rules.map(hostOf)).toContain("shop.gannet.example.com");
    const warnings = (await s.events("rogue")).filter((e) => e.type === "Warning");
    expect(warnings.map((e) => e.message).join("\n")).toMatch(/scheme/);
  });

  it("drops a deleted member's rules, releases its finalizer, and keeps the others", async () => {
    await s.kube.networking.deleteNamespacedIngress({ name: "cart", namespace: s.namespace });

    const { outcomes } = await s.reconcile();

    expect(outcomes[0]?.error).toBeUndefined();
    expect(await s.getIngress("cart")).toBeUndefined();
    const hostname = (await s.getIngress("shop"))?.status?.loadBalancer?.ingress?.[0]?.hostname;
    const hosts = (await rulesOfHostname(hostname)).map(hostOf);
    expect(hosts).toContain("shop.gannet.example.com");
    expect(hosts).not.toContain("cart.gannet.example.com");
  });

  it("deletes the ALB when the last members go", async () => {
    const hostname = (await s.getIngress("shop"))?.status?.loadBalancer?.ingress?.[0]?.hostname;
    for (const name of ["shop", "broken", "rogue"]) {
      await s.kube.networking.deleteNamespacedIngress({ name, namespace: s.namespace });
    }

    const { outcomes } = await s.reconcile([group]);

    expect(outcomes.map((o) => o.error)).toEqual([undefined]);
    const lbs = await allLoadBalancers(aws.elbv2);
    expect(lbs.some((l) => l.DNSName === hostname)).toBe(false);
    for (const name of ["shop", "broken", "rogue"]) expect(await s.getIngress(name)).toBeUndefined();
  });
});
