// Kubernetes adapter: the informers the controller runs, one per kind the core reads (Ingresses,
// IngressClasses, Services, EndpointSlices; and the ConfigMaps of Gannet's own namespace, where the
// join policies IngressClasses name live). Every object is trimmed to the model's shape before it is cached.

import { CoreV1Api, DiscoveryV1Api, type KubeConfig, NetworkingV1Api } from "@kubernetes/client-node";
import type { ConfigMap, EndpointSlice, Ingress, IngressClass, Service } from "../model/kube-objects.ts";
import { Informer, type InformerHooks, type ListPage, type RestartReason } from "./informer.ts";
import { trimConfigMap, trimEndpointSlice, trimIngress, trimIngressClass, trimService } from "./trim.ts";

/** The kinds watched, in the order their caches fill. */
export type WatchedKind = "IngressClass" | "ConfigMap" | "Service" | "EndpointSlice" | "Ingress";

/** A cached object of any watched kind. */
export type WatchedObject = Ingress | IngressClass | Service | EndpointSlice | ConfigMap;

/** Receives every change of every cache. */
export interface ClusterEventHandler {
  upsert(kind: WatchedKind, obj: WatchedObject): void;
  remove(kind: WatchedKind, obj: WatchedObject): void;
}

/** Hooks for metrics and logs, told which kind (resource) they concern. */
export interface ClusterInformerHooks {
  onCall?(verb: "list" | "watch", resource: string, result: "success" | "error"): void;
  onRestart?(resource: string, reason: RestartReason, gapMs: number): void;
  onError?(resource: string, message: string, err: unknown): void;
}

/** Tuning of the watches (tests shorten them). */
export interface ClusterInformerOptions {
  readonly pageSize?: number;
  readonly watchTimeoutSeconds?: number;
  readonly inactivityTimeoutMs?: number;
  /** Gannet's namespace: its ConfigMaps (join policies) are watched. Absent: none is. */
  readonly configMapNamespace?: string;
}

interface ListResult {
  readonly items: readonly unknown[];
  readonly metadata?: { readonly resourceVersion?: string; readonly _continue?: string };
}

const page =
  (call: (p: { limit: number; _continue?: string }) => Promise<ListResult>) =>
  async (p: { readonly limit: number; readonly continue?: string }): Promise<ListPage> => {
    const res = await call({ limit: p.limit, ...(p.continue ? { _continue: p.continue } : {}) });
    return {
      items: res.items,
      resourceVersion: res.metadata?.resourceVersion ?? "",
      continue: res.metadata?._continue,
    };
  };

/** The informers of the four kinds; start them, then await `synced` of each. */
export function createClusterInformers(
  config: KubeConfig,
  handler: ClusterEventHandler,
  hooks: ClusterInformerHooks = {},
  opts: ClusterInformerOptions = {},
): Map<WatchedKind, Informer<WatchedObject>> {
  const networking = config.makeApiClient(NetworkingV1Api);
  const core = config.makeApiClient(CoreV1Api);
  const discovery = config.makeApiClient(DiscoveryV1Api);
  const make = (
    kind: WatchedKind,
    resource: string,
    path: string,
    list: (p: { limit: number; _continue?: string }) => Promise<ListResult>,
    trim: (raw: unknown) => WatchedObject,
  ) => {
    const informerHooks: InformerHooks = {
      onCall: (verb, result) => hooks.onCall?.(verb, resource, result),
      onRestart: (reason, gapMs) => hooks.onRestart?.(resource, reason, gapMs),
      onError: (message, err) => hooks.onError?.(resource, message, err),
    };
    return new Informer<WatchedObject>({
      config,
      path,
      list: page(list),
      trim,
      handler: { upsert: (o) => handler.upsert(kind, o), remove: (o) => handler.remove(kind, o) },
      ...informerHooks,
      ...watchOpts,
    });
  };
  const { configMapNamespace, ...watchOpts } = opts;
  const configMaps: [WatchedKind, Informer<WatchedObject>][] = configMapNamespace
    ? [
        [
          "ConfigMap",
          make(
            "ConfigMap",
            "configmaps",
            `/api/v1/namespaces/${configMapNamespace}/configmaps`,
            (p) => core.listNamespacedConfigMap({ namespace: configMapNamespace, ...p }),
            trimConfigMap,
          ),
        ],
      ]
    : [];
  return new Map([
    ...configMaps,
    [
      "IngressClass",
      make(
        "IngressClass",
        "ingressclasses",
        "/apis/networking.k8s.io/v1/ingressclasses",
        (p) => networking.listIngressClass(p),
        trimIngressClass,
      ),
    ],
    [
      "Service",
      make(
        "Service",
        "services",
        "/api/v1/services",
        (p) => core.listServiceForAllNamespaces(p),
        trimService,
      ),
    ],
    [
      "EndpointSlice",
      make(
        "EndpointSlice",
        "endpointslices",
        "/apis/discovery.k8s.io/v1/endpointslices",
        (p) => discovery.listEndpointSliceForAllNamespaces(p),
        trimEndpointSlice,
      ),
    ],
    [
      "Ingress",
      make(
        "Ingress",
        "ingresses",
        "/apis/networking.k8s.io/v1/ingresses",
        (p) => networking.listIngressForAllNamespaces(p),
        trimIngress,
      ),
    ],
  ]);
}
