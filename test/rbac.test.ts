// The ClusterRole and Role in deploy/controller/rbac.yaml are enough: a token minted for the
// ServiceAccount with the TokenRequest API of the testbed's API server runs the informers, a full
// reconcile (finalizers, status, Events, cleanup) and the leader election, with nothing else.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadSettings } from "../src/config/settings.ts";
import { applyManifests, readManifests } from "../src/kube/apply-manifests.ts";
import { Controller } from "../src/runtime/controller.ts";
import { createLogger } from "../src/runtime/log.ts";
import { eventually, testControllerSettings } from "./support/controller.ts";
import { Scenario } from "./support/scenario.ts";
import { testbedCoordinates } from "./support/testbed.ts";

const INSTALL_NAMESPACE = "gannet-system";

/** The deploy/ RBAC objects, moved into the test's namespace and renamed where cluster-wide. */
function rbacFor(namespace: string): KubernetesObject[] {
  const unique = `gannet-${namespace}`;
  return readManifests(new URL("../deploy/controller", import.meta.url).pathname)
    .filter(
      (o) =>
        o.kind !== "Namespace" &&
        o.kind !== "Deployment" &&
        o.kind !== "Service" &&
        o.kind !== "PodDisruptionBudget",
    )
    .map((o) => {
      const text = JSON.stringify(o).replaceAll(
        `"namespace":"${INSTALL_NAMESPACE}"`,
        `"namespace":"${namespace}"`,
      );
      const copy = JSON.parse(text) as KubernetesObject & { roleRef?: { kind: string; name: string } };
      if (copy.kind === "ClusterRole" || copy.kind === "ClusterRoleBinding")
        copy.metadata = { ...copy.metadata, name: unique };
      if (copy.roleRef?.kind === "ClusterRole") copy.roleRef.name = unique;
      return copy;
    });
}

describe("the deploy/ RBAC", () => {
  const s = new Scenario();
  let controller: Controller | undefined;
  let kubeconfig = "";

  beforeAll(async () => {
    await s.setUp();
    await s.putBackend({ name: "web", ready: ["10.20.9.10"] });
    await applyManifests(s.kube.config, rbacFor(s.namespace));
    const minted = await s.kube.core.createNamespacedServiceAccountToken({
      name: "gannet",
      namespace: s.namespace,
      body: { spec: { expirationSeconds: 3600, audiences: [] } },
    });
    const cluster = s.kube.config.getCurrentCluster();
    const dir = mkdtempSync(join(tmpdir(), "gannet-rbac-"));
    kubeconfig = join(dir, "kubeconfig");
    writeFileSync(
      kubeconfig,
      stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [
          {
            name: "testbed",
            cluster: {
              server: cluster?.server,
              ...(cluster?.caFile ? { "certificate-authority": cluster.caFile } : {}),
              ...(cluster?.caData ? { "certificate-authority-data": cluster.caData } : {}),
            },
          },
        ],
        users: [{ name: "gannet", user: { token: minted.status?.token } }],
        contexts: [{ name: "gannet", context: { cluster: "testbed", user: "gannet" } }],
        "current-context": "gannet",
      }),
    );
  });
  afterAll(async () => {
    await controller?.stop();
    s.tearDown();
  });

  it("mints a token that is the ServiceAccount and nothing more (Secrets are refused)", async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);

    const refused = await kc
      .makeApiClient(CoreV1Api)
      .listNamespacedSecret({ namespace: s.namespace })
      .then(
        () => undefined,
        (err: { code?: number; body?: string }) => err,
      );

    expect(refused?.code).toBe(403);
    expect(String(refused?.body)).toContain(`system:serviceaccount:${s.namespace}:gannet`);
  });

  it("runs the controller with that token only: caches, Lease, a full reconcile and a cleanup", async () => {
    const { awsEndpoint } = testbedCoordinates();
    const settings = loadSettings({ cluster: s.cluster, kubeconfig, awsEndpoint, namespace: s.namespace });
    controller = new Controller(settings, testControllerSettings(s.namespace), {
      logger: createLogger(process.env.GANNET_TEST_LOG ?? "silent"),
      settleMs: 50,
      identity: "rbac-replica",
    });
    const c = controller;
    void c.start();
    const refusals = async () =>
      (await c.metrics.text())
        .split("\n")
        .filter((l) => /^gannet_kube_api_calls_total\{.*result="error"/.test(l));

    await eventually("caches filled with the ServiceAccount's token", async () => {
      if (c.isReady()) return true;
      const errors = await refusals();
      if (errors.length > 0) throw new Error(`the API server refused calls: ${errors.join("; ")}`);
      return undefined;
    });
    await eventually("leading", async () => (c.isLeader() ? true : undefined));
    await s.putIngress({
      metadata: { name: "rbac" },
      spec: {
        ingressClassName: "gannet",
        defaultBackend: { service: { name: "web", port: { number: 80 } } },
      },
    });
    const served = await eventually("status address", async () => {
      const ing = await s.getIngress("rbac");
      return ing?.status?.loadBalancer?.ingress?.[0]?.hostname ? ing : undefined;
    });
    const events = await eventually("an Event", async () => {
      const list = await s.events("rbac");
      return list.length > 0 ? list : undefined;
    });
    await s.kube.networking.deleteNamespacedIngress({ name: "rbac", namespace: s.namespace });
    await eventually("finalizer released", async () =>
      (await s.getIngress("rbac")) === undefined ? true : undefined,
    );

    expect(served.metadata?.finalizers).toContain("gannet.io/resources");
    expect(events.map((e) => e.source?.component)).toContain("gannet");
    expect(await refusals()).toEqual([]);
  });
});
