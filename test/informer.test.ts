// The informer on the real API server: lists in pages, restarts every watch the server ends (at
// once, the gap measured), relists after 410 Gone, and recovers from a failed list.

import { CoreV1Api } from "@kubernetes/client-node";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { Informer, type ListPage, type RestartReason, type WatchLike } from "../src/kube/informer.ts";
import { eventually } from "./support/controller.ts";
import { kubeClients, uniqueSuffix } from "./support/testbed.ts";

interface Cm {
  readonly metadata: { readonly namespace: string; readonly name: string; readonly resourceVersion?: string };
  readonly data: Record<string, string>;
}

const kube = kubeClients();
const core = kube.config.makeApiClient(CoreV1Api);
const namespace = `inf-${uniqueSuffix()}`;
// Only this test's ConfigMaps: the controller-manager publishes kube-root-ca.crt in every namespace.
const LABEL = "gannet.test/informer=yes";
const PATH = `/api/v1/namespaces/${namespace}/configmaps?labelSelector=${encodeURIComponent(LABEL)}`;

function trim(raw: unknown): Cm {
  const o = raw as { metadata: Cm["metadata"]; data?: Record<string, string> };
  return {
    metadata: {
      namespace: o.metadata.namespace,
      name: o.metadata.name,
      ...(o.metadata.resourceVersion ? { resourceVersion: o.metadata.resourceVersion } : {}),
    },
    data: o.data ?? {},
  };
}

async function listPage(p: { limit: number; continue?: string }): Promise<ListPage> {
  const res = await core.listNamespacedConfigMap({
    namespace,
    labelSelector: LABEL,
    limit: p.limit,
    ...(p.continue ? { _continue: p.continue } : {}),
  });
  return {
    items: res.items,
    resourceVersion: res.metadata?.resourceVersion ?? "",
    continue: res.metadata?._continue,
  };
}

/** An informer of this test's ConfigMaps that records what it did. */
function recordingInformer(
  over: {
    list?: typeof listPage;
    watchTimeoutSeconds?: number;
    wrapWatch?: (w: WatchLike) => WatchLike;
  } = {},
) {
  const seen = new Map<string, Cm>();
  const calls: string[] = [];
  const restarts: { reason: RestartReason; gapMs: number }[] = [];
  const errors: string[] = [];
  const informer = new Informer<Cm>({
    config: kube.config,
    path: PATH,
    list: over.list ?? listPage,
    trim,
    handler: {
      upsert: (o) => seen.set(o.metadata.name, o),
      remove: (o) => seen.delete(o.metadata.name),
    },
    pageSize: 2,
    watchTimeoutSeconds: over.watchTimeoutSeconds ?? 300,
    onCall: (verb, result) => calls.push(`${verb}:${result}`),
    onRestart: (reason, gapMs) => restarts.push({ reason, gapMs }),
    onError: (message) => errors.push(message),
    ...(over.wrapWatch ? { wrapWatch: over.wrapWatch } : {}),
  });
  return { informer, seen, calls, restarts, errors };
}

async function putConfigMap(name: string, value: string): Promise<void> {
  const body = { metadata: { name, namespace, labels: { "gannet.test/informer": "yes" } }, data: { value } };
  await core
    .replaceNamespacedConfigMap({ name, namespace, body })
    .catch(() => core.createNamespacedConfigMap({ namespace, body }));
}

describe("Informer", () => {
  const running: Informer<Cm>[] = [];
  const start = (r: ReturnType<typeof recordingInformer>) => {
    running.push(r.informer);
    r.informer.start();
    return r;
  };

  beforeAll(async () => {
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    for (let i = 0; i < 5; i++) await putConfigMap(`cm-${i}`, "0");
  });
  afterEach(async () => {
    for (const i of running.splice(0)) await i.stop();
  });

  it("lists in pages, then sees changes and deletions through the watch", async () => {
    const r = start(recordingInformer());
    await r.informer.synced;
    const listed = r.calls.filter((c) => c === "list:success").length;

    await putConfigMap("cm-0", "1");
    await core.deleteNamespacedConfigMap({ name: "cm-4", namespace });
    await eventually("change and deletion seen", async () =>
      r.seen.get("cm-0")?.data.value === "1" && !r.seen.has("cm-4") ? true : undefined,
    );

    expect(listed).toBe(3);
    expect([...r.seen.keys()].sort()).toEqual(["cm-0", "cm-1", "cm-2", "cm-3"]);
  });

  it("restarts a watch the server ends, at once, and keeps seeing changes", async () => {
    const r = start(recordingInformer({ watchTimeoutSeconds: 1 }));
    await r.informer.synced;

    await eventually("two server-side ends", async () => (r.restarts.length >= 2 ? true : undefined));
    await putConfigMap("cm-1", "after-restarts");
    await eventually("change seen after the restarts", async () =>
      r.seen.get("cm-1")?.data.value === "after-restarts" ? true : undefined,
    );

    console.log(`watch reconnect gaps: ${r.restarts.map((x) => `${x.reason} ${x.gapMs} ms`).join(", ")}`);
    expect(new Set(r.restarts.map((x) => x.reason))).toEqual(new Set(["closed"]));
    expect(r.errors).toEqual([]);
  });

  // The API server's watch cache answers an old resourceVersion from its own window, so 410 Gone
  // cannot be produced on demand: the first watch gets the ERROR event a server sends, then ends.
  it("relists after a watch ends with 410 Gone, and keeps seeing changes", async () => {
    let watches = 0;
    const gone: WatchLike = {
      watch: async (_path, _params, onEvent, done) => {
        onEvent("ERROR", {
          kind: "Status",
          code: 410,
          reason: "Expired",
          message: "too old resource version",
        });
        done(null);
        return new AbortController();
      },
    };
    const r = start(
      recordingInformer({
        wrapWatch: (real) => ({ watch: (...args) => (watches++ === 0 ? gone : real).watch(...args) }),
      }),
    );
    await r.informer.synced;
    const lists = () => r.calls.filter((c) => c === "list:success").length;
    const firstList = lists();

    await eventually("relisted after 410", async () => (lists() >= 2 * firstList ? true : undefined));
    await putConfigMap("cm-2", "after-410");
    await eventually("change seen after the relist", async () =>
      r.seen.get("cm-2")?.data.value === "after-410" ? true : undefined,
    );

    expect(r.restarts.map((x) => x.reason)).toEqual(["gone"]);
  });

  it("restarts a watch that fails, after a back-off", async () => {
    let watches = 0;
    const failing: WatchLike = {
      watch: async (_path, _params, _onEvent, done) => {
        done(Object.assign(new Error("Internal Server Error"), { statusCode: 500 }));
        return new AbortController();
      },
    };
    const r = start(
      recordingInformer({
        wrapWatch: (real) => ({ watch: (...args) => (watches++ === 0 ? failing : real).watch(...args) }),
      }),
    );
    await r.informer.synced;

    await putConfigMap("cm-3", "after-error");
    await eventually("change seen after the failed watch", async () =>
      r.seen.get("cm-3")?.data.value === "after-error" ? true : undefined,
    );

    expect(r.restarts.map((x) => x.reason)).toEqual(["error"]);
    expect(r.errors).toEqual([`watch ${PATH} failed`]);
  });

  it("recovers from a failed list with a back-off", async () => {
    let failures = 1;
    const flaky = async (p: { limit: number; continue?: string }) => {
      if (failures-- > 0) throw Object.assign(new Error("Service Unavailable"), { code: 503 });
      return listPage(p);
    };
    const r = start(recordingInformer({ list: flaky }));

    await r.informer.synced;

    expect(r.errors).toEqual([`list or watch of ${PATH} failed`]);
    expect(r.seen.size).toBeGreaterThan(0);
  });
});
