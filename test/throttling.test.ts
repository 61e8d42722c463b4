// Throttling: the in-cluster controller converges several groups while 30% of its AWS attempts are
// answered with the service's throttling error (Throttling, RequestLimitExceeded, ThrottlingException)
// and 5% with a 500 or 503, injected through the call layer's fault hook in front of the real clients.
// It must end with exactly the resources the groups need (counted by Gannet's tags: the emulator
// accepts duplicate names, so a retried create that went through twice would show as a second ALB or
// target group), and /metrics must report the retries.

import type { V1Ingress } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CallStats } from "../src/aws/call-layer.ts";
import type { Controller } from "../src/runtime/controller.ts";
import { countState, readClusterState } from "./support/aws-state.ts";
import { eventually, startController, testControllerSettings } from "./support/controller.ts";
import { seededRandom, type ThrottleFigures, throttlingFaults } from "./support/faults.ts";
import { Scenario } from "./support/scenario.ts";
import { awsClients, uniqueSuffix } from "./support/testbed.ts";

const aws = awsClients();

function ingress(
  name: string,
  host: string,
  paths: { path: string; service: string }[],
  group?: string,
): V1Ingress {
  return {
    metadata: {
      name,
      annotations: {
        "alb.ingress.kubernetes.io/scheme": "internet-facing",
        ...(group ? { "alb.ingress.kubernetes.io/group.name": group } : {}),
      },
    },
    spec: {
      ingressClassName: "gannet",
      rules: [
        {
          host,
          http: {
            paths: paths.map((p) => ({
              path: p.path,
              pathType: "Prefix",
              backend: { service: { name: p.service, port: { number: 80 } } },
            })),
          },
        },
      ],
    },
  };
}

/** Sums a counter of the Prometheus text exposition over all its label sets. */
function sumMetric(text: string, name: string): number {
  return text
    .split("\n")
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
}

describe("the controller under AWS throttling", () => {
  const s = new Scenario();
  const label = `t-${uniqueSuffix()}`;
  const domain = `${label}.gannet.example.com`;
  const shared = `shared-${uniqueSuffix()}`;
  const seed = Number(process.env.GANNET_FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const figures: ThrottleFigures = { attempts: 0, throttled: 0, serverErrors: 0 };
  const stats = new CallStats();
  let controller: Controller | undefined;

  beforeAll(async () => {
    await s.setUp();
    await s.putBackend({ name: "web", ready: ["10.20.8.10", "10.20.8.11"] });
    await s.putBackend({ name: "api", ready: ["10.20.8.20"] });
    await s.putIngress(ingress("shop", `shop.${domain}`, [{ path: "/", service: "web" }], shared));
    await s.putIngress(ingress("cart", `cart.${domain}`, [{ path: "/api", service: "api" }], shared));
    for (const name of ["blog", "docs", "news"])
      await s.putIngress(ingress(name, `${name}.${domain}`, [{ path: "/", service: "web" }]));
  });
  afterAll(async () => {
    await controller?.stop();
    s.tearDown();
  });

  it("converges every group with no duplicate resource, and counts the retries in /metrics", async () => {
    controller = await startController(s.settings, testControllerSettings(s.namespace), {
      stats,
      beforeAwsCall: throttlingFaults({
        throttleShare: 0.3,
        serverErrorShare: 0.05,
        random: seededRandom(seed),
        figures,
      }),
    });
    const c = controller;

    const names = ["shop", "cart", "blog", "docs", "news"];
    await eventually(
      "every Ingress has an address and the controller is idle",
      async () => {
        const addresses = await Promise.all(
          names.map(async (n) => (await s.getIngress(n))?.status?.loadBalancer?.ingress?.[0]?.hostname),
        );
        return addresses.every(Boolean) && c.isIdle() ? true : undefined;
      },
      300_000,
    );
    const state = await readClusterState(aws, { cluster: s.cluster, namespace: s.namespace, domain });
    const metrics = await (await fetch(`${c.url}/metrics`)).text();

    // 4 groups: one ALB each, an HTTP listener each; shop+cart share one ALB with 2 rules.
    expect(countState(state)).toEqual({
      loadBalancers: 4,
      listeners: 4,
      rules: 5,
      targetGroups: 5,
      securityGroups: 4,
      certificates: 0,
      records: 10,
    });
    const retries = [...stats.byOperation.values()].reduce((n, o) => n + o.retries, 0);
    const totals = stats.totals();
    expect(figures.throttled).toBeGreaterThan(0);
    expect(retries).toBeGreaterThan(0);
    expect(sumMetric(metrics, "gannet_aws_api_retries_total")).toBe(retries);
    const failedCalls = [...stats.byOperation.values()].reduce((n, o) => n + o.errors, 0);
    console.log(
      `throttling: ${totals.calls} AWS calls (${totals.mutating} mutating) in ${figures.attempts} attempts; ${figures.throttled} throttled and ${figures.serverErrors} answered 5xx (injected, seed ${seed}), ${retries} retried by the SDK (counted by the call layer), ${failedCalls} failed past its retries and were retried by the work queue; gannet_aws_api_retries_total ${sumMetric(metrics, "gannet_aws_api_retries_total")}; 4 groups converged with no duplicate`,
    );
  }, 400_000);
});
