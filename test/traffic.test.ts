// Real traffic while a Deployment changes, with the controller running: the testbed node runs the Pods
// (echo-basic on loopback IPs), the EndpointSlice controller publishes them, Gannet registers them, and
// the emulated ALB data plane sends real HTTP to them. After a scale-up every new Pod answers; after a
// rolling update only the new ReplicaSet's Pods answer. Requests that failed during each change are
// printed as a figure (zero-downtime rollouts are the readiness-gate work; here the point is that traffic
// follows the cluster).

import type { V1Deployment, V1DeploymentSpec } from "@kubernetes/client-node";
import { AppsV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Controller } from "../src/runtime/controller.ts";
import { eventually, startController, testControllerSettings } from "./support/controller.ts";
import { type ServedListener, sendThrough, servedListener } from "./support/dataplane.ts";
import { Scenario } from "./support/scenario.ts";
import { waitForDeployments } from "./support/workloads.ts";

const ECHO_IMAGE = "registry.k8s.io/gateway-api/echo-basic:v1.5.1";

function deployment(replicas: number, version: string): V1Deployment {
  const labels = { app: "echo" };
  return {
    metadata: { name: "echo" },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: 5,
          containers: [
            {
              name: "echo",
              image: ECHO_IMAGE,
              ports: [{ name: "http", containerPort: 3000 }],
              env: [
                { name: "VERSION", value: version },
                { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                { name: "NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
              ],
              readinessProbe: { httpGet: { path: "/health", port: "http" }, periodSeconds: 1 },
            },
          ],
        },
      },
    },
  };
}

describe("traffic through the data plane while a Deployment scales and rolls, with the controller running", () => {
  const s = new Scenario();
  const apps = s.kube.config.makeApiClient(AppsV1Api);
  let controller: Controller | undefined;
  let listener: ServedListener;

  /** The names of the ready Pods of the Deployment's current ReplicaSet(s), as the slices publish them. */
  async function readyPods(): Promise<string[]> {
    const slices = await s.kube.discovery.listNamespacedEndpointSlice({ namespace: s.namespace });
    return slices.items
      .flatMap((sl) => sl.endpoints ?? [])
      .filter((e) => e.conditions?.ready !== false)
      .map((e) => e.targetRef?.name ?? "")
      .sort();
  }

  /**
   * Sends requests until `want` answered (each of them at least once, and nothing else) within one
   * window of requests; returns the failed requests seen meanwhile.
   */
  async function untilAnsweredBy(want: readonly string[]): Promise<{ failed: number; sent: number }> {
    let failed = 0;
    let sent = 0;
    await eventually(
      `requests answered by exactly ${want.join(", ")}`,
      async () => {
        const answered = new Set<string>();
        for (let i = 0; i < want.length * 8; i++) {
          sent++;
          const a = await sendThrough(listener, { host: "echo.example.com", path: `/r/${sent}` }).catch(
            () => undefined,
          );
          if (a?.status !== 200 || !a.echo?.pod) failed++;
          else answered.add(a.echo.pod);
        }
        const got = [...answered].sort();
        return JSON.stringify(got) === JSON.stringify([...want].sort()) ? got : undefined;
      },
      60_000,
    );
    return { failed, sent };
  }

  beforeAll(async () => {
    await s.setUp();
    await apps.createNamespacedDeployment({ namespace: s.namespace, body: deployment(2, "v1") });
    await s.kube.core.createNamespacedService({
      namespace: s.namespace,
      body: {
        metadata: { name: "echo" },
        spec: { selector: { app: "echo" }, ports: [{ name: "http", port: 80, targetPort: "http" }] },
      },
    });
    await s.putIngress({
      metadata: { name: "echo", annotations: { "alb.ingress.kubernetes.io/scheme": "internet-facing" } },
      spec: {
        ingressClassName: "gannet",
        rules: [
          {
            host: "echo.example.com",
            http: {
              paths: [
                {
                  path: "/",
                  pathType: "Prefix",
                  backend: { service: { name: "echo", port: { name: "http" } } },
                },
              ],
            },
          },
        ],
      },
    });
    controller = await startController(s.settings, testControllerSettings(s.namespace));
    const hostname = await eventually("the Ingress has an ALB address", async () => {
      const live = await s.getIngress("echo");
      return live?.status?.loadBalancer?.ingress?.[0]?.hostname;
    });
    listener = await servedListener(hostname);
  });

  afterAll(async () => {
    await controller?.stop();
    s.tearDown();
    await s.kube.core.deleteNamespace({ name: s.namespace });
  });

  it("is answered by both Pods of the Deployment", async () => {
    await waitForDeployments(s.kube.config, { namespace: s.namespace });
    const pods = await readyPods();
    expect(pods).toHaveLength(2);
    await untilAnsweredBy(pods);
  });

  it("is answered by every Pod after a scale-up, with no request failed", async () => {
    const current = await apps.readNamespacedDeployment({ name: "echo", namespace: s.namespace });
    await apps.replaceNamespacedDeployment({
      name: "echo",
      namespace: s.namespace,
      body: { ...current, spec: { ...(current.spec as V1DeploymentSpec), replicas: 4 } },
    });
    const pods = await eventually("4 ready Pods", async () => {
      const ready = await readyPods();
      return ready.length === 4 ? ready : undefined;
    });
    const { failed, sent } = await untilAnsweredBy(pods);
    console.log(`traffic: scale-up 2 -> 4: ${failed} of ${sent} requests failed`);
    // Pods only come: nothing that served goes away, so nothing fails.
    expect(failed).toBe(0);
  });

  it("is answered only by the new Pods after a rolling update", async () => {
    const before = await readyPods();
    const current = await apps.readNamespacedDeployment({ name: "echo", namespace: s.namespace });
    const next = deployment(4, "v2");
    await apps.replaceNamespacedDeployment({
      name: "echo",
      namespace: s.namespace,
      body: {
        ...next,
        metadata: { ...next.metadata, resourceVersion: current.metadata?.resourceVersion ?? "" },
      },
    });
    // Traffic during the rollout, bounded: one request at a time until the rollout is over (90 s at most).
    let rolling = true;
    const during = { sent: 0, failed: 0 };
    const load = (async () => {
      const until = Date.now() + 90_000;
      while (rolling && Date.now() < until) {
        during.sent++;
        const a = await sendThrough(listener, { host: "echo.example.com", path: "/during" }).catch(
          () => undefined,
        );
        if (a?.status !== 200) during.failed++;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const after = await eventually(
      "the rollout replaced every Pod",
      async () => {
        const ready = await readyPods();
        return ready.length === 4 && ready.every((p) => !before.includes(p)) ? ready : undefined;
      },
      90_000,
    ).finally(() => {
      rolling = false;
    });
    await load;
    console.log(
      `traffic: rolling update of 4 Pods (maxSurge 1, no readiness gates yet): ${during.failed} of ${during.sent} requests failed during the rollout`,
    );
    await untilAnsweredBy(after);
  });
});
