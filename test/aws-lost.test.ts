// "The emulator restarts empty while Gannet runs": the in-cluster controller has converged a group
// with HTTPS (a requested certificate) and DNS records; then AWS loses everything of the cluster. The
// controller must recreate what the Ingress needs, put the new ALB's address in its status, and say so
// in an Event, with no restart and no manual reconcile.
//
// Why the emulator is not restarted for real: the testbed's LocalStack is shared by every test (and
// other engineers' runs), and a restart would wipe their state too. What Gannet sees during and after a
// restart of an empty emulator is reproduced instead: first an outage (every AWS attempt of the
// controller fails as a refused connection, through the call layer's fault hook), then, while it is
// "down", every AWS resource of this test's cluster id is deleted with plain SDK calls behind Gannet's
// back (ALB and listeners, target groups, security group, certificate, the records of its domain),
// then the endpoint answers again, empty of them. The seeded VPC, subnets and hosted zone stay, as the
// seed step recreates them after a real restart. The emulator derives an ALB's DNS name from its name,
// so the recreated ALB has the old address again (on AWS it gets a new one); the Event says either way.

import type { V1Ingress } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CallStats } from "../src/aws/call-layer.ts";
import { TAG } from "../src/model/ownership.ts";
import type { Controller } from "../src/runtime/controller.ts";
import { countState, readClusterState, wipeClusterResources } from "./support/aws-state.ts";
import { eventually, startController, testControllerSettings } from "./support/controller.ts";
import { Scenario } from "./support/scenario.ts";
import { awsClients, uniqueSuffix } from "./support/testbed.ts";

const aws = awsClients();

function ingress(host: string): V1Ingress {
  return {
    metadata: { name: "app", annotations: { "alb.ingress.kubernetes.io/scheme": "internet-facing" } },
    spec: {
      ingressClassName: "gannet",
      tls: [{ hosts: [host] }],
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
  };
}

describe("AWS loses every resource while the controller runs", () => {
  const s = new Scenario();
  const domain = `l-${uniqueSuffix()}.gannet.example.com`;
  const scope = { cluster: s.cluster, namespace: s.namespace, domain };
  let controller: Controller | undefined;
  // The outage: while `down`, every AWS attempt fails before it leaves the process, at once (not
  // retried by the SDK, so the calls in flight can be counted down to none; the work queue backs off).
  let down = false;
  let started = 0;
  let finished = 0;
  const stats = new CallStats();
  stats.onCall(() => {
    finished += 1;
  });
  const outage = (service: string, operation: string, attempt: number) => {
    if (attempt === 1) started += 1;
    if (down)
      throw Object.assign(
        new Error(`connect ECONNREFUSED 127.0.0.1:4566 (${service}:${operation}, injected)`),
        {
          name: "EmulatorRestarting",
        },
      );
  };

  const address = async () => (await s.getIngress("app"))?.status?.loadBalancer?.ingress?.[0]?.hostname;
  /** The group's state once fully served: HTTPS with its certificate, and its records aliased to its ALB. */
  const servedState = async () => {
    const state = await readClusterState(aws, scope);
    const counts = countState(state);
    console.log(JSON.stringify(counts), JSON.stringify(state).includes('"default cert:'));
    const served =
      counts.loadBalancers === 1 &&
      counts.listeners === 2 &&
      counts.certificates === 1 &&
      counts.records === 3 &&
      JSON.stringify(state).includes('"default cert:');
    return served ? state : undefined;
  };

  beforeAll(async () => {
    await s.setUp();
    await s.putBackend({ name: "web", ready: ["10.20.9.10"] });
    await s.putIngress(ingress(`app.${domain}`));
    // A short resync: the controller notices the loss on its next resync, as it would every 10 minutes.
    controller = await startController(s.settings, testControllerSettings(s.namespace, { resyncMs: 1000 }), {
      stats,
      beforeAwsCall: outage,
      // Only this test's group: a 1 s resync of every group of the shared API server would flood the queue.
      groups: new Set([`${s.namespace}/app`]),
    });
  });
  afterAll(async () => {
    down = false;
    await s.kube.networking.deleteNamespacedIngress({ name: "app", namespace: s.namespace }).catch(() => {});
    await eventually(
      "the Ingress is cleaned up",
      async () => ((await s.getIngress("app")) ? undefined : true),
      60_000,
    ).catch(() => undefined);
    await controller?.stop();
    s.tearDown();
  });

  it("recreates the ALB, certificate and records, updates the status address and says Recreated", async () => {
    const before = await eventually("the group served over HTTPS", servedState, 90_000);
    const oldAddress = await address();

    down = true;
    // Calls already past the hook finish first: from here on, nothing of Gannet's reaches AWS.
    await eventually("the controller's AWS calls in flight end", async () =>
      started === finished ? true : undefined,
    );
    await wipeClusterResources(aws, scope);
    down = false;

    const after = await eventually("the group served again", servedState, 120_000);
    const events = await eventually("a Recreated Event", async () => {
      const list = await s.events("app");
      return list.some((e) => e.reason === "Recreated") ? list : undefined;
    });

    expect(after).toEqual(before);
    const albs = (await s.rt.aws.elbv2.listLoadBalancers()).filter(
      (lb) => lb.tags[TAG.cluster] === s.cluster,
    );
    expect(albs.map((lb) => lb.dnsName)).toEqual([await address()]);
    const recreated = events.find((e) => e.reason === "Recreated");
    expect(recreated?.type).toBe("Warning");
    expect(recreated?.message).toContain(`the ALB at ${oldAddress} no longer exists`);
    expect(recreated?.message).toContain(`the address is now ${await address()}`);
  }, 240_000);
});
