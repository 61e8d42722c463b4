// Kubernetes faults: the in-cluster controller reaches the real API server through a fault-injecting
// proxy (test/support/kube-proxy.ts: why a proxy, not a restart, is said there). A status patch is
// answered 409 Conflict, every watch is cut, and the API server "restarts" (connections refused long
// enough for the leader Lease to lapse, then back): each time the controller must recover by itself
// and converge the change made meanwhile, with no restart and no manual reconcile.

import type { V1Ingress } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TAG } from "../src/model/ownership.ts";
import type { Controller } from "../src/runtime/controller.ts";
import { eventually, startController, testControllerSettings } from "./support/controller.ts";
import { FaultyKubeProxy } from "./support/kube-proxy.ts";
import { Scenario } from "./support/scenario.ts";

function ingress(paths: readonly string[]): V1Ingress {
  return {
    metadata: { name: "app" },
    spec: {
      ingressClassName: "gannet",
      rules: [
        {
          host: "app.gannet.example.com",
          http: {
            paths: paths.map((path) => ({
              path,
              pathType: "Prefix",
              backend: { service: { name: "web", port: { number: 80 } } },
            })),
          },
        },
      ],
    },
  };
}

describe("the controller through Kubernetes faults", () => {
  const s = new Scenario();
  const proxy = new FaultyKubeProxy(s.settings.kubeconfig ?? "");
  let controller: Controller | undefined;

  /** The path patterns of the group's HTTP listener rules in AWS. */
  const pathsInAws = async (): Promise<string[]> => {
    const lb = (await s.rt.aws.elbv2.listLoadBalancers()).find((l) => l.tags[TAG.cluster] === s.cluster);
    if (!lb) return [];
    const listeners = await s.rt.aws.elbv2.listListeners(lb.arn, () => true);
    return (listeners.find((l) => l.port === 80)?.rules ?? [])
      .flatMap((r) => r.conditions.filter((c) => c.field === "path-pattern").flatMap((c) => c.values))
      .sort();
  };
  const until = (what: string, probe: () => Promise<boolean>) =>
    eventually(what, async () => ((await probe()) ? true : undefined), 60_000);

  beforeAll(async () => {
    await s.setUp();
    await proxy.start();
    await s.putBackend({ name: "web", ready: ["10.20.10.10"] });
    controller = await startController(
      { ...s.settings, kubeconfig: proxy.kubeconfig },
      testControllerSettings(s.namespace),
      { groups: new Set([`${s.namespace}/app`]) },
    );
  });
  afterAll(async () => {
    await controller?.stop();
    await proxy.stop();
    s.tearDown();
  });

  it("retries a status patch answered 409 Conflict until the address is written", async () => {
    proxy.conflictNextStatusPatches(1);

    await s.putIngress(ingress(["/"]));
    const hostname = await eventually(
      "status address",
      async () => (await s.getIngress("app"))?.status?.loadBalancer?.ingress?.[0]?.hostname,
    );

    expect(proxy.figures.conflicts).toBe(1);
    expect(hostname).toMatch(/\.elb\.amazonaws\.com$/);
  });

  it("re-opens cut watches and sees the change made after the cut", async () => {
    await until("the watches are open", async () => proxy.cutWatches() > 0);

    await s.putIngress(ingress(["/", "/docs"]));

    await until("the /docs rule in AWS", async () => (await pathsInAws()).includes("/docs"));
  });

  it("survives an API server outage longer than the Lease: leads again and converges the change made meanwhile", async () => {
    const c = controller as Controller;
    await proxy.outage();
    // The leader cannot renew: past its renew deadline it stops writing.
    await until("the leader steps down", async () => !c.isLeader());
    await s.putIngress(ingress(["/", "/docs", "/api"])); // written straight to the API server meanwhile

    await proxy.resume();

    await until("the controller leads again", async () => c.isLeader());
    await until("the /api rule in AWS", async () => (await pathsInAws()).includes("/api"));
    console.log(
      `kube-faults: ${proxy.figures.conflicts} status patch answered 409, ${proxy.figures.watchesCut} watches cut, ${proxy.figures.outages} API server outage past the Lease; the controller recovered and converged each time without a restart`,
    );
  });
});
