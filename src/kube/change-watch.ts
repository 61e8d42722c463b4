// Kubernetes adapter: watches the kinds a reconcile reads, from "now", for a bounded time (the Lambda
// runtime's watch window). Each watch starts at the resourceVersion of a one-item list, so it reports
// only changes made after it started (no replay of every object as ADDED); a watch the server or the
// client ends (client-node cuts every watch after 30 s) resumes from the last version seen; a 410 Gone
// starts over from a fresh version and reports a change of unknown scope.

import { CoreV1Api, DiscoveryV1Api, type KubeConfig, NetworkingV1Api, Watch } from "@kubernetes/client-node";
import type { Ingress } from "../model/kube-objects.ts";

/** A change seen: an Ingress (its groups can be told), or anything else (any group may be touched). */
export type WatchedChange =
  | { readonly kind: "Ingress"; readonly ingress: Ingress }
  | { readonly kind: "IngressClass" | "Service" | "EndpointSlice" | "unknown" };

/** How a change watch reports. */
export interface ChangeWatchOptions {
  readonly onChange: (change: WatchedChange) => void;
  readonly onError?: (message: string) => void;
}

/** A running change watch. */
export interface ChangeWatch {
  stop(): void;
}

interface Kind {
  readonly kind: "Ingress" | "IngressClass" | "Service" | "EndpointSlice";
  readonly path: string;
  readonly version: (kc: KubeConfig) => Promise<string | undefined>;
}

const KINDS: readonly Kind[] = [
  {
    kind: "Ingress",
    path: "/apis/networking.k8s.io/v1/ingresses",
    version: async (kc) =>
      (await kc.makeApiClient(NetworkingV1Api).listIngressForAllNamespaces({ limit: 1 })).metadata
        ?.resourceVersion,
  },
  {
    kind: "IngressClass",
    path: "/apis/networking.k8s.io/v1/ingressclasses",
    version: async (kc) =>
      (await kc.makeApiClient(NetworkingV1Api).listIngressClass({ limit: 1 })).metadata?.resourceVersion,
  },
  {
    kind: "Service",
    path: "/api/v1/services",
    version: async (kc) =>
      (await kc.makeApiClient(CoreV1Api).listServiceForAllNamespaces({ limit: 1 })).metadata?.resourceVersion,
  },
  {
    kind: "EndpointSlice",
    path: "/apis/discovery.k8s.io/v1/endpointslices",
    version: async (kc) =>
      (await kc.makeApiClient(DiscoveryV1Api).listEndpointSliceForAllNamespaces({ limit: 1 })).metadata
        ?.resourceVersion,
  },
];

/** Starts watching Ingresses, IngressClasses, Services and EndpointSlices; resolves once every watch runs. */
export async function startChangeWatch(kc: KubeConfig, opts: ChangeWatchOptions): Promise<ChangeWatch> {
  const watch = new Watch(kc);
  let stopped = false;
  const running = new Map<string, { abort(): void }>();
  const versions = new Map<string, string>();

  const start = async (k: Kind): Promise<void> => {
    if (stopped) return;
    if (!versions.has(k.path)) {
      const rv = await k.version(kc);
      if (rv) versions.set(k.path, rv);
    }
    const onEvent = (phase: string, obj: { metadata?: { resourceVersion?: string }; code?: number }) => {
      if (phase === "ERROR") {
        // 410 Gone: our version is too old. Changes in the gap are unknown: report one of any scope.
        versions.delete(k.path);
        opts.onChange({ kind: "unknown" });
        return;
      }
      if (obj.metadata?.resourceVersion) versions.set(k.path, obj.metadata.resourceVersion);
      if (phase === "BOOKMARK") return;
      opts.onChange(k.kind === "Ingress" ? { kind: "Ingress", ingress: obj as Ingress } : { kind: k.kind });
    };
    const rv = versions.get(k.path);
    const req = await watch.watch(
      k.path,
      { allowWatchBookmarks: true, ...(rv ? { resourceVersion: rv } : {}) },
      onEvent,
      (err: unknown) => {
        if (stopped) return;
        const routine =
          !err ||
          (err instanceof Error && (err.name === "TimeoutError" || /timeout|aborted/i.test(err.message)));
        if (!routine)
          opts.onError?.(`watch ${k.path} ended: ${err instanceof Error ? err.message : String(err)}`);
        setTimeout(
          () =>
            void start(k).catch((e: unknown) =>
              opts.onError?.(
                `watch ${k.path} could not restart: ${e instanceof Error ? e.message : String(e)}`,
              ),
            ),
          routine ? 0 : 1000,
        );
      },
    );
    if (stopped) req.abort();
    else running.set(k.path, req);
  };

  await Promise.all(KINDS.map((k) => start(k)));
  return {
    stop: () => {
      stopped = true;
      for (const r of running.values()) r.abort();
      running.clear();
    },
  };
}
