// Test support: waiting for Deployments on the testbed cluster (the controller-manager, the scheduler
// and the testbed node run them) until their Pods are ready and published in EndpointSlices.

import { AppsV1Api, DiscoveryV1Api, type KubeConfig } from "@kubernetes/client-node";
import type { EndpointSlice } from "../../src/model/kube-objects.ts";

/** What to wait for. */
export interface WaitForDeploymentsOptions {
  readonly namespace: string;
  /** Deployments whose Pods never become ready on purpose (a failing readiness probe). */
  readonly neverReady?: readonly string[];
  readonly timeoutMs?: number;
}

/**
 * Waits until every Deployment of the namespace has all its replicas ready (but those never ready) and
 * every one of their Pods is published in an EndpointSlice, and returns the slices (plain JSON).
 */
export async function waitForDeployments(
  config: KubeConfig,
  o: WaitForDeploymentsOptions,
): Promise<EndpointSlice[]> {
  const apps = config.makeApiClient(AppsV1Api);
  const discovery = config.makeApiClient(DiscoveryV1Api);
  const timeoutMs = o.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const deployments = (await apps.listNamespacedDeployment({ namespace: o.namespace })).items;
    const list = await discovery.listNamespacedEndpointSlice({ namespace: o.namespace });
    const slices = JSON.parse(JSON.stringify(list.items)) as EndpointSlice[];
    const wanted = deployments.reduce((n, d) => n + (d.spec?.replicas ?? 1), 0);
    const published = slices.flatMap((sl) => sl.endpoints ?? []).length;
    const ready = deployments.every(
      (d) =>
        o.neverReady?.includes(d.metadata?.name ?? "") || (d.status?.readyReplicas ?? 0) === d.spec?.replicas,
    );
    if (ready && published >= wanted) return slices;
    if (Date.now() > deadline) {
      const state = deployments.map(
        (d) => `${d.metadata?.name} ${d.status?.readyReplicas ?? 0}/${d.spec?.replicas}`,
      );
      throw new Error(
        `the Deployments of ${o.namespace} are not ready after ${timeoutMs} ms (${state.join(", ")}; ` +
          `${published}/${wanted} Pods published): is the testbed node running? See test/node/README.md`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
