// Two controller replicas sharing one Lease on the real testbed: only the leader writes, the
// standby keeps warm caches, and when the leader dies without releasing the Lease the standby takes
// over once the Lease expires and converges what changed meanwhile.

import { DescribeTargetHealthCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { CoordinationV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TAG } from "../src/model/ownership.ts";
import type { Controller } from "../src/runtime/controller.ts";
import { eventually, startController, testControllerSettings } from "./support/controller.ts";
import { Scenario } from "./support/scenario.ts";
import { awsClients } from "./support/testbed.ts";

const aws = awsClients();

describe("leader election between two replicas", () => {
  const s = new Scenario();
  // A long resync: after the crash only the takeover can make the standby reconcile.
  const cs = testControllerSettings(s.namespace, { resyncMs: 3_600_000 });
  const leases = s.kube.config.makeApiClient(CoordinationV1Api);
  const running: Controller[] = [];
  let a: Controller;
  let b: Controller;

  const lease = () => leases.readNamespacedLease({ namespace: s.namespace, name: cs.leaseName });
  const targetIds = async () => {
    const tg = (await s.rt.aws.elbv2.listTargetGroups()).find((t) => t.tags[TAG.cluster] === s.cluster);
    if (!tg) return [];
    const health = await aws.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.arn }));
    return (health.TargetHealthDescriptions ?? []).map((d) => d.Target?.Id ?? "").sort();
  };
  const start = async (identity: string) => {
    const c = await startController(s.settings, cs, { identity });
    running.push(c);
    return c;
  };

  beforeAll(async () => {
    await s.setUp();
    await s.putBackend({ name: "web", ready: ["10.20.8.10"] });
    a = await start("replica-a");
    await eventually("replica-a leads", async () => (a.isLeader() ? true : undefined));
    b = await start("replica-b");
  });
  afterAll(async () => {
    for (const c of running) await c.stop();
    s.tearDown();
  });

  it("lets only the leader write while the standby keeps a warm cache", async () => {
    await s.putIngress({
      metadata: { name: "ha" },
      spec: {
        ingressClassName: "gannet",
        defaultBackend: { service: { name: "web", port: { number: 80 } } },
      },
    });

    await eventually(
      "ALB address",
      async () => (await s.getIngress("ha"))?.status?.loadBalancer?.ingress?.[0],
    );
    const seenByStandby = await eventually("the standby caches the Ingress", async () =>
      b.cache.snapshotOf(`${s.namespace}/ha`).ingresses.length === 1 ? true : undefined,
    );

    expect((await lease()).spec?.holderIdentity).toBe("replica-a");
    expect(seenByStandby).toBe(true);
    expect(b.isLeader()).toBe(false);
    expect(b.stats.totals().calls).toBe(0);
    expect(await targetIds()).toEqual(["10.20.8.10"]);
  });

  it("takes over after the leader crashes (Lease not released) and converges the change made meanwhile", async () => {
    const before = (await lease()).spec;

    await a.stop({ release: false });
    const crashedAt = Date.now();
    await s.putBackend({ name: "web", ready: ["10.20.8.10", "10.20.8.11"] });
    const ids = await eventually("the standby registers the new endpoint", async () => {
      const now = await targetIds();
      return now.length === 2 ? now : undefined;
    });
    const failoverMs = Date.now() - crashedAt;
    const after = (await lease()).spec;

    console.log(
      `failover: change converged ${failoverMs} ms after the leader stopped (lease ${cs.leaseDurationMs} ms)`,
    );
    expect(ids).toEqual(["10.20.8.10", "10.20.8.11"]);
    expect(after?.holderIdentity).toBe("replica-b");
    expect(after?.leaseTransitions).toBe((before?.leaseTransitions ?? 0) + 1);
    expect(b.isLeader()).toBe(true);
    expect(b.stats.totals().mutating).toBeGreaterThan(0);
  });

  it("hands over at once when the leader stops gracefully (the Lease is released)", async () => {
    const c = await start("replica-c");

    await b.stop({ release: true });
    const released = (await lease()).spec;
    await eventually("replica-c leads", async () => (c.isLeader() ? true : undefined));

    expect(released?.holderIdentity ?? "").toBe("");
    expect((await lease()).spec?.holderIdentity).toBe("replica-c");
  });
});
