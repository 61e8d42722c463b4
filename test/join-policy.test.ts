// Who may join a shared group, on the real testbed: by default only the namespace of the group's
// oldest member; a ConfigMap named by the IngressClass widens it. A refused Ingress gets a Warning and
// changes nothing in AWS.

import { DescribeListenersCommand, DescribeRulesCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { V1Ingress } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostOfRule } from "./support/alb-evaluator.ts";
import { Scenario } from "./support/scenario.ts";
import { allLoadBalancers, awsClients } from "./support/testbed.ts";

const aws = awsClients();

async function hostsOfAlb(hostname: string | undefined): Promise<string[]> {
  const lbs = await allLoadBalancers(aws.elbv2);
  const lb = lbs.find((l) => l.DNSName === hostname);
  const listeners =
    (await aws.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb?.LoadBalancerArn ?? "" })))
      .Listeners ?? [];
  const rules =
    (await aws.elbv2.send(new DescribeRulesCommand({ ListenerArn: listeners[0]?.ListenerArn ?? "" })))
      .Rules ?? [];
  return rules
    .filter((r) => !r.IsDefault)
    .map((r) => hostOfRule(r) ?? "")
    .sort();
}

describe("the join policy of a shared group", () => {
  const s = new Scenario({ crossNamespace: true });
  const other = `${s.namespace}-b`;
  const group = `join-${s.namespace}`;
  const className = `gannet-${s.namespace}`;
  const configMap = { name: "gannet-groups", namespace: s.namespace };
  const member = (name: string, host: string): V1Ingress => ({
    metadata: { name, annotations: { "alb.ingress.kubernetes.io/group.name": group } },
    spec: {
      ingressClassName: className,
      rules: [
        {
          host,
          http: {
            paths: [
              { path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } },
            ],
          },
        },
      ],
    },
  });
  const allow = async (namespaces: string) => {
    const body = {
      metadata: configMap,
      data: { [`allowed-namespaces.${group}`]: namespaces },
    };
    await s.kube.core
      .replaceNamespacedConfigMap({ ...configMap, body })
      .catch(() => s.kube.core.createNamespacedConfigMap({ namespace: configMap.namespace, body }));
  };
  const intruder = () =>
    s.kube.networking.readNamespacedIngress({ name: "guest", namespace: other }).catch(() => undefined);

  beforeAll(async () => {
    await s.setUp();
    await s.kube.core.createNamespace({ body: { metadata: { name: other } } });
    await s.kube.networking.createIngressClass({
      body: {
        metadata: { name: className },
        spec: {
          controller: "gannet.io/ingress-controller",
          parameters: { kind: "ConfigMap", scope: "Namespace", ...configMap },
        },
      },
    });
    await s.putBackend({ name: "web", ready: ["10.20.4.10"] });
    await allow(s.namespace);
    await s.putIngress(member("site", "site.gannet.example.com"));
  });
  afterAll(async () => {
    await s.kube.networking.deleteIngressClass({ name: className }).catch(() => undefined);
    s.tearDown();
  });

  it("refuses a member from a namespace the ConfigMap does not list: a Warning, no rule, no finalizer", async () => {
    const guest = member("guest", "guest.gannet.example.com");
    await s.kube.networking.createNamespacedIngress({
      namespace: other,
      body: { ...guest, metadata: { ...guest.metadata, namespace: other } },
    });

    const { outcomes } = await s.reconcile([group]);

    expect(outcomes.map((o) => [o.group, o.error])).toEqual([[group, undefined]]);
    const hostname = (await s.getIngress("site"))?.status?.loadBalancer?.ingress?.[0]?.hostname;
    expect(await hostsOfAlb(hostname)).toEqual(["site.gannet.example.com"]);
    expect((await intruder())?.metadata?.finalizers ?? []).toEqual([]);
    expect((await intruder())?.status?.loadBalancer?.ingress ?? []).toEqual([]);
    const events = await s.kube.core.listNamespacedEvent({ namespace: other });
    const warnings = events.items.filter((e) => e.involvedObject.name === "guest" && e.type === "Warning");
    expect(warnings.map((e) => e.message).join("\n")).toContain(
      `ConfigMap ${s.namespace}/gannet-groups allows only namespace(s) ${s.namespace} to join group "${group}"`,
    );
  });

  it("admits it once the ConfigMap lists its namespace", async () => {
    await allow(`${s.namespace}, ${other}`);

    const { outcomes } = await s.reconcile([group]);

    expect(outcomes.map((o) => o.error)).toEqual([undefined]);
    const hostname = (await s.getIngress("site"))?.status?.loadBalancer?.ingress?.[0]?.hostname;
    expect(await hostsOfAlb(hostname)).toEqual(["guest.gannet.example.com", "site.gannet.example.com"]);
    expect((await intruder())?.status?.loadBalancer?.ingress?.[0]?.hostname).toBe(hostname);
  });

  it("drops it again, releasing its finalizer, when the ConfigMap no longer lists it", async () => {
    await allow(s.namespace);

    const { outcomes } = await s.reconcile([group]);

    expect(outcomes.map((o) => o.error)).toEqual([undefined]);
    const hostname = (await s.getIngress("site"))?.status?.loadBalancer?.ingress?.[0]?.hostname;
    expect(await hostsOfAlb(hostname)).toEqual(["site.gannet.example.com"]);
    expect((await intruder())?.metadata?.finalizers ?? []).toEqual([]);
  });

  it("deletes the ALB when its last member goes", async () => {
    const hostname = (await s.getIngress("site"))?.status?.loadBalancer?.ingress?.[0]?.hostname;
    await s.kube.networking.deleteNamespacedIngress({ name: "site", namespace: s.namespace });
    await s.kube.networking.deleteNamespacedIngress({ name: "guest", namespace: other });

    const { outcomes } = await s.reconcile([group]);

    expect(outcomes.map((o) => o.error)).toEqual([undefined]);
    const lbs = await allLoadBalancers(aws.elbv2);
    expect(lbs.some((l) => l.DNSName === hostname)).toBe(false);
  });
});
