// The testbed runs workloads: the upstream kube-controller-manager and kube-scheduler beside the API
// server, and the project's testbed node (test/node) running Pods as local processes on loopback IPs.
// Deployments roll, Pods become Ready from their readiness probes, the EndpointSlice controller
// publishes them (terminating endpoints included), and real HTTP to a Pod IP reaches that Pod.

import {
  AppsV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
  type V1EndpointSlice,
  type V1Pod,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ECHO_BASIC_IMAGE, TESTBED_ECHO_IMAGE } from "./node/images.ts";
import { kubeClients, uniqueSuffix } from "./support/testbed.ts";

const kube = kubeClients();
const apps = kube.config.makeApiClient(AppsV1Api);
const namespace = `it-cluster-${uniqueSuffix()}`;
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
const POD_IP = /^127\.1\.\d{1,3}\.\d{1,3}$/;

async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

/** A Deployment of the testbed echo server and its Service (port 80 to the named port http, 8080). */
function echoDeployment(
  name: string,
  opts: { replicas: number; args?: string[]; preStopSeconds?: number },
): V1Deployment {
  return {
    metadata: { name },
    spec: {
      replicas: opts.replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 10,
          containers: [
            {
              name: "echo",
              image: `${TESTBED_ECHO_IMAGE}:v1`,
              args: ["--port", "8080", ...(opts.args ?? [])],
              env: [
                { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
              ],
              ports: [{ name: "http", containerPort: 8080 }],
              readinessProbe: {
                httpGet: { path: "/readyz", port: "http" },
                periodSeconds: 1,
                failureThreshold: 1,
              },
              ...(opts.preStopSeconds
                ? { lifecycle: { preStop: { sleep: { seconds: opts.preStopSeconds } } } }
                : {}),
            },
          ],
        },
      },
    },
  };
}

async function createEcho(name: string, opts: Parameters<typeof echoDeployment>[1]): Promise<void> {
  await kube.core.createNamespacedService({
    namespace,
    body: {
      metadata: { name },
      spec: { selector: { app: name }, ports: [{ name: "http", port: 80, targetPort: "http" }] },
    },
  });
  await apps.createNamespacedDeployment({ namespace, body: echoDeployment(name, opts) });
}

async function podsOf(app: string): Promise<V1Pod[]> {
  return (await kube.core.listNamespacedPod({ namespace, labelSelector: `app=${app}` })).items;
}

const isReady = (p: V1Pod) =>
  p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;

async function readyPods(app: string, count: number, timeoutMs = 30_000): Promise<V1Pod[]> {
  return waitFor(
    `${count} ready Pods of ${app}`,
    async () => {
      const pods = (await podsOf(app)).filter((p) => !p.metadata?.deletionTimestamp);
      return pods.length === count && pods.every(isReady) ? pods : undefined;
    },
    timeoutMs,
  );
}

async function endpointsOf(service: string) {
  const slices: V1EndpointSlice[] = (
    await kube.discovery.listNamespacedEndpointSlice({
      namespace,
      labelSelector: `kubernetes.io/service-name=${service}`,
    })
  ).items;
  return slices.flatMap((s) =>
    (s.endpoints ?? []).map((e) => ({
      ip: e.addresses[0] ?? "",
      ready: e.conditions?.ready ?? false,
      serving: e.conditions?.serving ?? false,
      terminating: e.conditions?.terminating ?? false,
      pod: e.targetRef?.name ?? "",
    })),
  );
}

async function readyEndpoints(service: string): Promise<string[]> {
  return (await endpointsOf(service))
    .filter((e) => e.ready)
    .map((e) => e.ip)
    .sort();
}

async function echo(
  ip: string,
): Promise<{ pod: { name: string; namespace: string; ip: string }; message: string }> {
  const res = await fetch(`http://${ip}:8080/hello?x=1`, { signal: AbortSignal.timeout(5000) });
  expect(res.status).toBe(200);
  return (await res.json()) as { pod: { name: string; namespace: string; ip: string }; message: string };
}

describe("the testbed cluster runs workloads", () => {
  beforeAll(async () => {
    await kube.core.createNamespace({ body: { metadata: { name: namespace } } });
  });
  afterAll(async () => {
    await kube.core.deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  it("runs a Deployment's Pods on 127.1.x.y, Ready from their readiness probe, published ready by the EndpointSlice controller, each answering HTTP itself", async () => {
    const t0 = Date.now();
    await createEcho("web", { replicas: 2, args: ["--ready-after-ms", "300"] });
    const pods = await readyPods("web", 2);
    console.log(`cluster: 2 Pods from Deployment creation to Ready in ${Date.now() - t0} ms`);
    const ips = pods.map((p) => p.status?.podIP ?? "").sort();
    for (const p of pods) {
      expect(p.status?.podIP).toMatch(POD_IP);
      expect(p.status?.podIPs).toEqual([{ ip: p.status?.podIP }]);
      expect(p.status?.hostIP).toMatch(/^127\.1\.\d+\.1$/);
      expect(p.status?.phase).toBe("Running");
      expect(p.spec?.nodeName).toMatch(/^gannet-testbed-node-\d+$/);
      expect(p.status?.containerStatuses?.[0]).toMatchObject({
        name: "echo",
        ready: true,
        started: true,
        restartCount: 0,
      });
      expect(p.status?.conditions?.map((c) => [c.type, c.status]).sort()).toEqual([
        ["ContainersReady", "True"],
        ["Initialized", "True"],
        ["PodReadyToStartContainers", "True"],
        ["PodScheduled", "True"],
        ["Ready", "True"],
      ]);
    }
    expect(new Set(ips).size).toBe(2);
    await waitFor("both Pods published ready", async () =>
      JSON.stringify(await readyEndpoints("web")) === JSON.stringify(ips) ? true : undefined,
    );
    for (const p of pods) {
      const body = await echo(p.status?.podIP ?? "");
      expect(body.pod).toEqual({ name: p.metadata?.name, namespace, ip: p.status?.podIP });
    }
    const node = await kube.core.readNode({ name: pods[0]?.spec?.nodeName ?? "" });
    expect(node.metadata?.labels?.["topology.kubernetes.io/zone"]).toMatch(/^[a-z]+-[a-z]+-\d[a-z]$/);
    expect(node.spec?.taints ?? []).toEqual([]);
  });

  it("keeps a Pod whose readiness probe fails Running but unready, and publishes it not ready", async () => {
    await createEcho("never-ready", { replicas: 1, args: ["--not-ready"] });
    const pod = await waitFor("a running Pod", async () => {
      const [p] = await podsOf("never-ready");
      return p?.status?.phase === "Running" && p.status.podIP ? p : undefined;
    });
    await waitFor("its endpoint, not ready", async () => {
      const eps = await endpointsOf("never-ready");
      return eps.length === 1 && eps[0]?.ip === pod.status?.podIP && !eps[0]?.ready ? true : undefined;
    });
    await new Promise((r) => setTimeout(r, 2500));
    const [again] = await podsOf("never-ready");
    expect(isReady(again ?? {})).toBe(false);
    expect(again?.status?.containerStatuses?.[0]?.ready).toBe(false);
    expect(await readyEndpoints("never-ready")).toEqual([]);
  });

  it("scales up and down, and a rolling update replaces the Pods, the old ones published terminating while their preStop sleep runs", async () => {
    await createEcho("roll", { replicas: 1, preStopSeconds: 3, args: ["--message", "v1"] });
    await readyPods("roll", 1);
    await apps.patchNamespacedDeploymentScale(
      { name: "roll", namespace, body: { spec: { replicas: 3 } } },
      mergePatch,
    );
    const three = await readyPods("roll", 3);
    await waitFor("3 ready endpoints", async () =>
      (await readyEndpoints("roll")).length === 3 ? true : undefined,
    );
    await apps.patchNamespacedDeploymentScale(
      { name: "roll", namespace, body: { spec: { replicas: 2 } } },
      mergePatch,
    );
    // The Pod scaled away stays, terminating, through its 3 s preStop sleep, then is gone.
    const scaledAway = await waitFor("a terminating endpoint", async () =>
      (await endpointsOf("roll")).find((e) => e.terminating),
    );
    expect(scaledAway).toMatchObject({ ready: false, serving: true, terminating: true });
    await readyPods("roll", 2, 20_000);
    await waitFor(
      "2 Pods left, both published ready",
      async () => {
        const [pods, eps] = [await podsOf("roll"), await endpointsOf("roll")];
        return pods.length === 2 && eps.length === 2 && eps.every((e) => e.ready) ? true : undefined;
      },
      20_000,
    );

    const before = new Set((await podsOf("roll")).map((p) => p.metadata?.name));
    expect(before.size).toBe(2);
    const seenTerminating: { ip: string; serving: boolean }[] = [];
    await apps.patchNamespacedDeployment(
      {
        name: "roll",
        namespace,
        body: {
          spec: {
            template: {
              spec: { containers: [{ name: "echo", args: ["--port", "8080", "--message", "v2"] }] },
            },
          },
        },
      },
      setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
    );
    const after = await waitFor(
      "the rollout to finish",
      async () => {
        for (const e of await endpointsOf("roll"))
          if (e.terminating) seenTerminating.push({ ip: e.ip, serving: e.serving });
        const pods = await podsOf("roll");
        const fresh = pods.filter((p) => !before.has(p.metadata?.name) && isReady(p));
        return pods.length === 2 && fresh.length === 2 ? fresh : undefined;
      },
      60_000,
    );
    expect(seenTerminating.length).toBeGreaterThan(0);
    // During preStop the old Pod still passes its readiness probe: terminating, still serving.
    expect(seenTerminating.some((e) => e.serving)).toBe(true);
    for (const p of after) expect((await echo(p.status?.podIP ?? "")).message).toBe("v2");
    expect(three.length).toBe(3);
    await waitFor("only the new Pods published", async () => {
      const eps = await endpointsOf("roll");
      const ips = after.map((p) => p.status?.podIP).sort();
      return JSON.stringify(eps.map((e) => e.ip).sort()) === JSON.stringify(ips) && eps.every((e) => e.ready)
        ? true
        : undefined;
    });
  });

  it("restarts a crashed container (restart policy Always) after the kubelet's back-off", async () => {
    await kube.core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: "crasher" },
        spec: {
          containers: [
            { name: "app", image: TESTBED_ECHO_IMAGE, args: ["--exit-after-ms", "300", "--exit-code", "3"] },
          ],
        },
      },
    });
    const backingOff = await waitFor("CrashLoopBackOff", async () => {
      const p = await kube.core.readNamespacedPod({ name: "crasher", namespace });
      const c = p.status?.containerStatuses?.[0];
      return c?.state?.waiting?.reason === "CrashLoopBackOff" ? c : undefined;
    });
    expect(backingOff.lastState?.terminated).toMatchObject({ exitCode: 3, reason: "Error" });
    const restarted = await waitFor(
      "the first restart",
      async () => {
        const p = await kube.core.readNamespacedPod({ name: "crasher", namespace });
        const c = p.status?.containerStatuses?.[0];
        return (c?.restartCount ?? 0) >= 1 ? c : undefined;
      },
      20_000,
    );
    expect(restarted?.restartCount).toBeGreaterThanOrEqual(1);
  });

  it("fails a Pod of an unknown image with ErrImagePull and a message naming the image and the images it knows", async () => {
    await kube.core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: "unknown-image" },
        spec: { containers: [{ name: "app", image: "nginx:1.27" }] },
      },
    });
    const waiting = await waitFor("the Pod's waiting reason", async () => {
      const p = await kube.core.readNamespacedPod({ name: "unknown-image", namespace });
      return p.status?.containerStatuses?.[0]?.state?.waiting?.reason === "ErrImagePull"
        ? p.status.containerStatuses[0].state.waiting
        : undefined;
    });
    expect(waiting.message).toContain('"nginx:1.27"');
    expect(waiting.message).toContain(TESTBED_ECHO_IMAGE);
    expect(waiting.message).toContain(ECHO_BASIC_IMAGE);
  });

  it("runs the Gateway API conformance echo server (echo-basic) on its Pod IP, answering with its Pod's name and namespace", async () => {
    await kube.core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: "echo-basic" },
        spec: {
          containers: [
            {
              name: "echo",
              image: "gcr.io/k8s-staging-gateway-api/echo-basic:v20240412-v1.0.0-394-g40c666fd",
              env: [
                { name: "HTTP_PORT", value: "8080" },
                { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                { name: "NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
              ],
              readinessProbe: { httpGet: { path: "/health", port: 8080 }, periodSeconds: 1 },
            },
          ],
        },
      },
    });
    const pod = await waitFor("echo-basic Ready", async () => {
      const p = await kube.core.readNamespacedPod({ name: "echo-basic", namespace });
      return isReady(p) ? p : undefined;
    });
    expect(pod.status?.podIP).toMatch(POD_IP);
    const res = await fetch(`http://${pod.status?.podIP}:8080/some/path`, {
      headers: { host: "echo.example" },
    });
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ pod: "echo-basic", namespace, path: "/some/path", method: "GET" });
  });
});
