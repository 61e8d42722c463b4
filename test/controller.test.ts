// `gannet controller` on the real testbed: it watches, and converges what changes without being asked.

import { DescribeTargetHealthCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSettings } from "../src/config/settings.ts";
import { TAG } from "../src/model/ownership.ts";
import { runController } from "../src/runtime/controller.ts";
import { Scenario } from "./support/scenario.ts";
import { awsClients, testbedCoordinates } from "./support/testbed.ts";

const aws = awsClients();

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("the controller", () => {
  const s = new Scenario();
  const stop = new AbortController();
  let running: Promise<number> | undefined;

  beforeAll(async () => {
    await s.setUp();
    await s.putBackend({ name: "web", ready: ["10.20.6.10"] });
    const { kubeconfig, awsEndpoint } = testbedCoordinates();
    const settings = loadSettings({ cluster: s.cluster, kubeconfig, awsEndpoint, namespace: s.namespace });
    running = runController(settings, {
      signal: stop.signal,
      log: () => {},
      onOutcome: () => {},
      debounceMs: 100,
    });
  });
  afterAll(async () => {
    stop.abort();
    await running;
    s.tearDown();
  });

  it("gives a new Ingress an ALB address without a manual reconcile", async () => {
    await s.putIngress({
      metadata: { name: "watched" },
      spec: {
        ingressClassName: "gannet",
        rules: [
          {
            host: "watched.gannet.example.com",
            http: {
              paths: [
                {
                  path: "/",
                  pathType: "Prefix",
                  backend: { service: { name: "web", port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
    });

    const hostname = await eventually(
      "status address",
      async () => (await s.getIngress("watched"))?.status?.loadBalancer?.ingress?.[0]?.hostname,
    );

    expect(hostname).toMatch(/\.elb\.amazonaws\.com$/);
  });

  it("follows an EndpointSlice change into the target group", async () => {
    await s.putBackend({ name: "web", ready: ["10.20.6.10", "10.20.6.11"] });

    const targets = await eventually("new target registered", async () => {
      const tgs = (await s.rt.aws.elbv2.listTargetGroups()).filter((t) => t.tags[TAG.cluster] === s.cluster);
      const health = await aws.elbv2.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: tgs[0]?.arn ?? "" }),
      );
      const ids = (health.TargetHealthDescriptions ?? []).map((d) => d.Target?.Id ?? "").sort();
      return ids.length === 2 ? ids : undefined;
    });

    expect(targets).toEqual(["10.20.6.10", "10.20.6.11"]);
  });

  it("cleans up a deleted Ingress and releases it", async () => {
    await s.kube.networking.deleteNamespacedIngress({ name: "watched", namespace: s.namespace });

    await eventually("Ingress gone", async () =>
      (await s.getIngress("watched")) === undefined ? true : undefined,
    );

    const left = (await s.rt.aws.elbv2.listLoadBalancers()).filter(
      (lb) => lb.tags[TAG.cluster] === s.cluster,
    );
    expect(left).toEqual([]);
  });
});
