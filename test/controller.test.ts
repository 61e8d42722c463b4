// `gannet controller` on the real testbed: its informers see each kind of change and the work
// queue converges the groups it affects, without a manual reconcile; /metrics tells what it did.

import { DescribeTargetHealthCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { PatchStrategy, setHeaderOptions, type V1Ingress } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TAG } from "../src/model/ownership.ts";
import type { Controller } from "../src/runtime/controller.ts";
import type { ObservedRule } from "../src/types/alb.ts";
import { eventually, startController, testControllerSettings } from "./support/controller.ts";
import { Scenario } from "./support/scenario.ts";
import { awsClients, uniqueSuffix } from "./support/testbed.ts";

const aws = awsClients();

function ingress(
  name: string,
  paths: { path: string; service: string; port: number }[],
  className = "gannet",
): V1Ingress {
  return {
    metadata: { name },
    spec: {
      ingressClassName: className,
      rules: [
        {
          host: `${name}.gannet.example.com`,
          http: {
            paths: paths.map((p) => ({
              path: p.path,
              pathType: "Prefix",
              backend: { service: { name: p.service, port: { number: p.port } } },
            })),
          },
        },
      ],
    },
  };
}

describe("the controller", () => {
  const s = new Scenario();
  const className = `gannet-it-${uniqueSuffix()}`;
  let controller: Controller;

  /** The ALBs of this scenario's cluster, by group. */
  const albOf = async (group: string) =>
    (await s.rt.aws.elbv2.listLoadBalancers()).find(
      (lb) => lb.tags[TAG.cluster] === s.cluster && lb.tags[TAG.group] === group,
    );
  /** The rules of a group's HTTP listener, once it has an ALB. */
  const rulesOf = async (group: string): Promise<readonly ObservedRule[] | undefined> => {
    const lb = await albOf(group);
    if (!lb) return undefined;
    const listeners = await s.rt.aws.elbv2.listListeners(lb.arn, () => true);
    return listeners.find((l) => l.port === 80)?.rules;
  };
  const ruleFor = (rules: readonly ObservedRule[] | undefined, path: string) =>
    rules?.find((r) => r.conditions.some((c) => c.field === "path-pattern" && c.values.includes(path)));

  beforeAll(async () => {
    await s.setUp();
    await s.putBackend({ name: "web", ready: ["10.20.6.10"] });
    await s.putBackend({ name: "api", ready: ["10.20.7.10"] });
    controller = await startController(s.settings, testControllerSettings(s.namespace));
  });
  afterAll(async () => {
    await controller?.stop();
    await s.kube.networking.deleteIngressClass({ name: className }).catch(() => undefined);
    s.tearDown();
  });

  it("gives a new Ingress an ALB address", async () => {
    await s.putIngress(ingress("watched", [{ path: "/", service: "web", port: 80 }]));

    const hostname = await eventually(
      "status address",
      async () => (await s.getIngress("watched"))?.status?.loadBalancer?.ingress?.[0]?.hostname,
    );

    expect(hostname).toMatch(/\.elb\.amazonaws\.com$/);
  });

  it("follows a changed Ingress: a new path becomes a rule", async () => {
    await s.putIngress(
      ingress("watched", [
        { path: "/", service: "web", port: 80 },
        { path: "/docs", service: "web", port: 80 },
      ]),
    );

    const rule = await eventually("rule for /docs", async () =>
      ruleFor(await rulesOf(`${s.namespace}/watched`), "/docs"),
    );

    expect(rule.actions[0]?.type).toBe("forward");
  });

  it("follows a Service port change: a path that answered 503 forwards once the port exists", async () => {
    await s.putIngress(
      ingress("watched", [
        { path: "/", service: "web", port: 80 },
        { path: "/docs", service: "web", port: 80 },
        { path: "/api", service: "api", port: 8081 },
      ]),
    );
    const before = await eventually("rule for /api", async () =>
      ruleFor(await rulesOf(`${s.namespace}/watched`), "/api"),
    );

    await s.kube.core.patchNamespacedService(
      {
        name: "api",
        namespace: s.namespace,
        body: [{ op: "replace", path: "/spec/ports/0/port", value: 8081 }],
      },
      setHeaderOptions("Content-Type", PatchStrategy.JsonPatch),
    );
    const after = await eventually("rule for /api forwards", async () => {
      const rule = ruleFor(await rulesOf(`${s.namespace}/watched`), "/api");
      return rule?.actions[0]?.type === "forward" ? rule : undefined;
    });

    expect(before.actions[0]).toMatchObject({ type: "fixed-response", statusCode: "503" });
    expect(after.actions[0]?.type).toBe("forward");
  });

  it("follows an EndpointSlice change into the target group", async () => {
    await s.putBackend({ name: "web", ready: ["10.20.6.10", "10.20.6.11"] });

    const targets = await eventually("new target registered", async () => {
      const tgs = (await s.rt.aws.elbv2.listTargetGroups()).filter(
        (t) => t.tags[TAG.cluster] === s.cluster && t.key.includes("/web:"),
      );
      const health = await aws.elbv2.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: tgs[0]?.arn ?? "" }),
      );
      const ids = (health.TargetHealthDescriptions ?? []).map((d) => d.Target?.Id ?? "").sort();
      return ids.length === 2 ? ids : undefined;
    });

    expect(targets).toEqual(["10.20.6.10", "10.20.6.11"]);
  });

  it("follows IngressClass changes: serves an Ingress once its class appears, releases it when the class goes to another controller", async () => {
    await s.putIngress(ingress("classy", [{ path: "/", service: "web", port: 80 }], className));
    await s.kube.networking.createIngressClass({
      body: { metadata: { name: className }, spec: { controller: "gannet.io/ingress-controller" } },
    });
    const served = await eventually("ALB for the classy group", () => albOf(`${s.namespace}/classy`));

    await s.kube.networking.deleteIngressClass({ name: className });
    await s.kube.networking.createIngressClass({
      body: { metadata: { name: className }, spec: { controller: "example.com/another-controller" } },
    });
    const released = await eventually("classy released", async () => {
      const ing = await s.getIngress("classy");
      return ing && !(ing.metadata?.finalizers ?? []).some((f) => f.startsWith("gannet.io/"))
        ? ing
        : undefined;
    });

    expect(served.dnsName).toMatch(/\.elb\.amazonaws\.com$/);
    expect(released.metadata?.name).toBe("classy");
    expect(await albOf(`${s.namespace}/classy`)).toBeUndefined();
  });

  it("serves metrics of what it did, and answers the probes", async () => {
    const url = controller.url ?? "";

    const [metrics, healthz, readyz] = await Promise.all(
      ["/metrics", "/healthz", "/readyz"].map((p) => fetch(`${url}${p}`)),
    );
    const text = await metrics?.text();
    const value = (line: RegExp) => Number(text?.match(line)?.[1] ?? Number.NaN);

    expect([metrics?.status, healthz?.status, readyz?.status]).toEqual([200, 200, 200]);
    expect(value(/^gannet_reconcile_total\{result="success"\} (\d+)/m)).toBeGreaterThan(0);
    expect(
      value(
        /^gannet_aws_api_calls_total\{service="ElasticLoadBalancingV2",operation="CreateLoadBalancer",result="success"\} (\d+)/m,
      ),
    ).toBeGreaterThanOrEqual(2);
    expect(
      value(
        /^gannet_aws_api_call_duration_seconds_count\{service="ElasticLoadBalancingV2",operation="CreateRule"\} (\d+)/m,
      ),
    ).toBeGreaterThan(0);
    expect(
      value(/^gannet_kube_api_calls_total\{verb="list",resource="ingresses",result="success"\} (\d+)/m),
    ).toBeGreaterThan(0);
    expect(
      value(
        /^gannet_kube_api_calls_total\{verb="patch",resource="ingresses\/status",result="success"\} (\d+)/m,
      ),
    ).toBeGreaterThan(0);
    expect(
      value(/^gannet_kube_api_calls_total\{verb="update",resource="leases",result="success"\} (\d+)/m),
    ).toBeGreaterThan(0);
    expect(value(/^gannet_leader (\d+)/m)).toBe(1);
    expect(value(/^gannet_workqueue_depth (\d+)/m)).toBeGreaterThanOrEqual(0);
    expect(value(/^gannet_managed_resources\{kind="load_balancer"\} (\d+)/m)).toBe(1);
    expect(value(/^gannet_managed_resources\{kind="target"\} (\d+)/m)).toBeGreaterThanOrEqual(2);
    expect(value(/^gannet_informer_objects\{kind="Ingress"\} (\d+)/m)).toBeGreaterThanOrEqual(2);
  });

  it("cleans up a deleted Ingress and releases it", async () => {
    await s.kube.networking.deleteNamespacedIngress({ name: "watched", namespace: s.namespace });

    await eventually("Ingress gone", async () =>
      (await s.getIngress("watched")) === undefined ? true : undefined,
    );

    expect(await albOf(`${s.namespace}/watched`)).toBeUndefined();
  });
});
