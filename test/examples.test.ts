// The README's examples on the real testbed: every example host and path reaches the pod IPs of the
// backend the Ingress names, through the rules read back from the ALB; deleting them leaves nothing.

import { DescribeSecurityGroupsCommand } from "@aws-sdk/client-ec2";
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetHealthCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { KubernetesObject } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyManifests, readManifests } from "../src/kube/apply-manifests.ts";
import type { EndpointSlice, Ingress, IngressBackend } from "../src/model/kube-objects.ts";
import { TAG } from "../src/model/ownership.ts";
import { evaluateListener, forwardTarget } from "./support/alb-evaluator.ts";
import { Scenario } from "./support/scenario.ts";
import { awsClients } from "./support/testbed.ts";

const aws = awsClients();
const EXAMPLE_NAMESPACE = "gannet-examples";

/** A request that the Ingress path must match, per pathType. */
function sampleRequestPath(path: string, pathType: string): string {
  if (pathType === "Exact") return path;
  if (pathType === "Prefix") return `${path.replace(/\/$/, "")}/sample`;
  return path.replace(/\*/g, "sample");
}

describe("the examples on the real testbed", () => {
  const s = new Scenario();
  const objects = readManifests(new URL("../examples", import.meta.url).pathname)
    .filter((o) => o.kind !== "Namespace" && o.kind !== "IngressClass")
    .map((o) => ({ ...o, metadata: { ...o.metadata, namespace: s.namespace } }) as KubernetesObject)
    .map(withUniqueGroup);
  const ingresses = objects.filter((o) => o.kind === "Ingress") as unknown as Ingress[];
  const slices = objects.filter((o) => o.kind === "EndpointSlice") as unknown as EndpointSlice[];

  // Group names are cluster-wide: `npm run dev` may hold the examples' own groups in the same API server.
  function withUniqueGroup(o: KubernetesObject): KubernetesObject {
    const annotations = o.metadata?.annotations;
    const group = annotations?.["alb.ingress.kubernetes.io/group.name"];
    if (!group) return o;
    return {
      ...o,
      metadata: {
        ...o.metadata,
        annotations: { ...annotations, "alb.ingress.kubernetes.io/group.name": `${group}-${s.namespace}` },
      },
    };
  }

  function readyIps(backend: IngressBackend | undefined): string[] {
    const service = backend?.service?.name;
    return slices
      .filter((sl) => sl.metadata.labels?.["kubernetes.io/service-name"] === service)
      .flatMap((sl) =>
        (sl.endpoints ?? []).filter((e) => e.conditions?.ready !== false).flatMap((e) => e.addresses),
      )
      .sort();
  }

  async function routeOf(hostname: string | undefined, host: string, path: string): Promise<string[]> {
    const lbs = (await aws.elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
    const lb = lbs.find((l) => l.DNSName === hostname);
    const listeners =
      (await aws.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb?.LoadBalancerArn ?? "" })))
        .Listeners ?? [];
    // With ssl-redirect, HTTP answers with a redirect once HTTPS exists: follow it to the HTTPS listener.
    const served =
      listeners.find((l) => l.Protocol === "HTTPS") ?? listeners.find((l) => l.Protocol === "HTTP");
    const rules =
      (await aws.elbv2.send(new DescribeRulesCommand({ ListenerArn: served?.ListenerArn ?? "" }))).Rules ??
      [];
    const tg = forwardTarget(evaluateListener(rules, { host, path }));
    if (!tg) return [];
    const health = await aws.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }));
    return (health.TargetHealthDescriptions ?? []).map((d) => d.Target?.Id ?? "").sort();
  }

  beforeAll(async () => {
    await s.setUp();
    await applyManifests(s.kube.config, objects);
  });
  afterAll(() => s.tearDown());

  it("are the README's examples (namespace gannet-examples)", () => {
    expect(ingresses.length).toBeGreaterThanOrEqual(4);
    expect(
      readManifests(new URL("../examples", import.meta.url).pathname).some(
        (o) => o.metadata?.namespace === EXAMPLE_NAMESPACE,
      ),
    ).toBe(true);
  });

  it("converge: every Ingress gets an ALB address, and every host and path reaches its backend's ready pod IPs", async () => {
    const { outcomes } = await s.reconcile();

    // Only the deliberately wrong members of examples/60-shop-trouble.yaml have problems.
    expect(outcomes.map((o) => [o.group, o.error])).toEqual(outcomes.map((o) => [o.group, undefined]));
    const problems = outcomes
      .flatMap((o) => o.desired.problems)
      .map((p) => `${p.ingress} ${p.field}: ${p.message}`);
    expect(problems).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${s.namespace}/shop-promo spec.rules\\[0\\].http.paths\\[0\\]: conflicts with ${s.namespace}/shop-cart spec.rules\\[0\\].http.paths\\[1\\]`,
        ),
      ),
      expect.stringMatching(
        /shop-typo metadata.annotations\['alb.ingress.kubernetes.io\/listen-ports'\]: .*JSON/,
      ),
    ]);
    for (const ingress of ingresses.filter((i) => !TROUBLED.has(i.metadata.name))) {
      const live = await s.getIngress(ingress.metadata.name);
      const hostname = live?.status?.loadBalancer?.ingress?.[0]?.hostname;
      expect(hostname, `${ingress.metadata.name} has an address`).toMatch(/\.elb\.amazonaws\.com$/);
      for (const rule of ingress.spec.rules ?? []) {
        for (const p of rule.http?.paths ?? []) {
          const path = sampleRequestPath(p.path ?? "/", p.pathType);
          const reached = await routeOf(hostname, rule.host ?? "any.gannet.example.com", path);
          expect(reached, `${ingress.metadata.name} ${rule.host}${path}`).toEqual(readyIps(p.backend));
        }
      }
      if (ingress.spec.defaultBackend) {
        const reached = await routeOf(hostname, "unknown-host.example.org", "/nowhere");
        expect(reached, `${ingress.metadata.name} default backend`).toEqual(
          readyIps(ingress.spec.defaultBackend),
        );
      }
    }
  });

  it("serve the rest of a troubled member, and nothing of a member left out", async () => {
    const hostname = (await s.getIngress("shop-cart"))?.status?.loadBalancer?.ingress?.[0]?.hostname;
    expect(await routeOf(hostname, "shop.gannet.example.com", "/promo/today")).toEqual(
      readyIps({ service: { name: "shop-frontend", port: { name: "http" } } }),
    );
    expect(await routeOf(hostname, "shop.gannet.example.com", "/cart/1")).toEqual(
      readyIps({ service: { name: "shop-cart", port: { number: 80 } } }),
    );
    expect(await routeOf(hostname, "gifts.gannet.example.com", "/")).toEqual([]);
    const warnings = (await s.events("shop-typo")).filter((e) => e.type === "Warning");
    expect(warnings.map((e) => e.message).join("\n")).toMatch(/listen-ports/);
  });

  it("leave no ALB, listener, rule, target group or security group behind once deleted", async () => {
    for (const ingress of ingresses) {
      await s.kube.networking.deleteNamespacedIngress({
        name: ingress.metadata.name,
        namespace: s.namespace,
      });
    }

    const { outcomes } = await s.reconcile(groupKeysOf(ingresses));

    expect(outcomes.every((o) => o.error === undefined)).toBe(true);
    const inventory = await s.rt.aws.elbv2.listLoadBalancers();
    expect(inventory.filter((lb) => lb.tags[TAG.cluster] === s.cluster)).toEqual([]);
    const tgs = await s.rt.aws.elbv2.listTargetGroups();
    expect(tgs.filter((tg) => tg.tags[TAG.cluster] === s.cluster)).toEqual([]);
    const sgs = await aws.ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: `tag:${TAG.cluster}`, Values: [s.cluster] }] }),
    );
    expect(sgs.SecurityGroups).toEqual([]);
    for (const ingress of ingresses) expect(await s.getIngress(ingress.metadata.name)).toBeUndefined();
  });
});

/** The members of examples/60-shop-trouble.yaml: wrong on purpose, checked apart. */
const TROUBLED = new Set(["shop-promo", "shop-typo"]);

/** Group keys of the examples, so deleted groups are reconciled even once no member is live. */
function groupKeysOf(ingresses: readonly Ingress[]): string[] {
  return ingresses.map(
    (i) =>
      i.metadata.annotations?.["alb.ingress.kubernetes.io/group.name"] ??
      `${i.metadata.namespace}/${i.metadata.name}`,
  );
}
