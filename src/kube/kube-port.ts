// Kubernetes adapter: the only module that talks to the API server. It reads the objects the core
// needs (converted to the model's plain shapes) and writes finalizers, status and Events.

import {
  CoreV1Api,
  DiscoveryV1Api,
  KubeConfig,
  NetworkingV1Api,
  PatchStrategy,
  setHeaderOptions,
} from "@kubernetes/client-node";
import type {
  ConfigMap,
  EndpointSlice,
  Ingress,
  IngressClass,
  ObjectMeta,
  Service,
} from "../model/kube-objects.ts";
import { GANNET_CONTROLLER } from "../sources/ingress/groups/ingress-class.ts";

/** Everything the core reads from Kubernetes for a pass. */
export interface KubeSnapshot {
  readonly ingressClasses: readonly IngressClass[];
  readonly ingresses: readonly Ingress[];
  readonly services: readonly Service[];
  readonly endpointSlices: readonly EndpointSlice[];
  /** The ConfigMaps Gannet's IngressClasses name in `spec.parameters` (join policies); absent ones left out. */
  readonly classParameters: readonly ConfigMap[];
}

/** Loads a kubeconfig from a file, or the in-cluster service account when no path is given. */
export function loadKubeConfig(path: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  return kc;
}

// The client deserializes timestamps into Date objects; the core wants plain JSON values.
function plain<T>(obj: unknown): T {
  return JSON.parse(JSON.stringify(obj)) as T;
}

function withNamespace<T extends { metadata: ObjectMeta }>(o: T): T {
  return o.metadata.namespace === undefined ? { ...o, metadata: { ...o.metadata, namespace: "" } } : o;
}

const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
const jsonPatch = setHeaderOptions("Content-Type", PatchStrategy.JsonPatch);

/** The Kubernetes calls Gannet makes. */
export class KubePort {
  readonly config: KubeConfig;
  private readonly core: CoreV1Api;
  private readonly networking: NetworkingV1Api;
  private readonly discovery: DiscoveryV1Api;

  constructor(config: KubeConfig) {
    this.config = config;
    this.core = config.makeApiClient(CoreV1Api);
    this.networking = config.makeApiClient(NetworkingV1Api);
    this.discovery = config.makeApiClient(DiscoveryV1Api);
  }

  /** The API server's URL, for messages. */
  get server(): string {
    return this.config.getCurrentCluster()?.server ?? "(unknown API server)";
  }

  /** Reads IngressClasses, Ingresses, Services and EndpointSlices of every namespace (four list calls). */
  async readSnapshot(): Promise<KubeSnapshot> {
    const [classes, ingresses, services, slices] = await Promise.all([
      this.networking.listIngressClass(),
      this.networking.listIngressForAllNamespaces(),
      this.core.listServiceForAllNamespaces(),
      this.discovery.listEndpointSliceForAllNamespaces(),
    ]);
    const ingressClasses = plain<IngressClass[]>(classes.items);
    return {
      ingressClasses,
      classParameters: await this.readClassParameters(ingressClasses),
      ingresses: plain<Ingress[]>(ingresses.items).map(withNamespace),
      services: plain<Service[]>(services.items).map(withNamespace),
      endpointSlices: plain<EndpointSlice[]>(slices.items).map(withNamespace),
    };
  }
  /** Reads the ConfigMaps that Gannet's IngressClasses name as parameters (one GET each, 404 skipped). */
  async readClassParameters(classes: readonly IngressClass[]): Promise<ConfigMap[]> {
    const named = new Map<string, { namespace: string; name: string }>();
    for (const c of classes) {
      if (c.spec.controller !== GANNET_CONTROLLER) continue;
      const p = c.spec.parameters as { kind?: string; name?: string; namespace?: string } | undefined;
      if (p?.kind === "ConfigMap" && p.name && p.namespace)
        named.set(`${p.namespace}/${p.name}`, { namespace: p.namespace, name: p.name });
    }
    const found = await Promise.all(
      [...named.values()].map((ref) =>
        this.core.readNamespacedConfigMap(ref).then(
          (cm) => plain<ConfigMap>(cm),
          (err: unknown) => {
            if ((err as { code?: number }).code === 404) return undefined;
            throw err;
          },
        ),
      ),
    );
    return found.filter((c): c is ConfigMap => c !== undefined).map(withNamespace);
  }

  /** Adds a finalizer unless present; guarded by resourceVersion so a concurrent change is not lost. */
  async addFinalizer(ingress: Ingress, finalizer: string): Promise<void> {
    const current = ingress.metadata.finalizers ?? [];
    if (current.includes(finalizer)) return;
    await this.networking.patchNamespacedIngress(
      {
        name: ingress.metadata.name,
        namespace: ingress.metadata.namespace,
        body: {
          metadata: {
            finalizers: [...current, finalizer],
            resourceVersion: ingress.metadata.resourceVersion,
          },
        },
      },
      mergePatch,
    );
  }

  /** Removes a finalizer, tolerating an Ingress that is already gone. */
  async removeFinalizer(ingress: Ingress, finalizer: string): Promise<void> {
    const current = ingress.metadata.finalizers ?? [];
    const index = current.indexOf(finalizer);
    if (index < 0) return;
    try {
      await this.networking.patchNamespacedIngress(
        {
          name: ingress.metadata.name,
          namespace: ingress.metadata.namespace,
          // test-then-remove: fails instead of removing another controller's finalizer if the list moved.
          body: [
            { op: "test", path: `/metadata/finalizers/${index}`, value: finalizer },
            { op: "remove", path: `/metadata/finalizers/${index}` },
          ],
        },
        jsonPatch,
      );
    } catch (err) {
      if (statusCodeOf(err) !== 404) throw err;
    }
  }

  /** Sets `status.loadBalancer.ingress` to the ALB hostname (the caller only calls when it changed). */
  async patchIngressStatus(ingress: Ingress, hostname: string | undefined): Promise<void> {
    await this.networking.patchNamespacedIngressStatus(
      {
        name: ingress.metadata.name,
        namespace: ingress.metadata.namespace,
        body: { status: { loadBalancer: { ingress: hostname ? [{ hostname }] : [] } } },
      },
      mergePatch,
    );
  }

  /** Creates a core/v1 Event about an Ingress. */
  async createEvent(input: EventInput): Promise<void> {
    const now = new Date();
    const { ingress } = input;
    await this.core.createNamespacedEvent({
      namespace: ingress.metadata.namespace,
      body: {
        metadata: { generateName: `${ingress.metadata.name}.`, namespace: ingress.metadata.namespace },
        involvedObject: {
          apiVersion: "networking.k8s.io/v1",
          kind: "Ingress",
          name: ingress.metadata.name,
          namespace: ingress.metadata.namespace,
          ...(ingress.metadata.uid ? { uid: ingress.metadata.uid } : {}),
          ...(ingress.metadata.resourceVersion ? { resourceVersion: ingress.metadata.resourceVersion } : {}),
        },
        type: input.type,
        reason: input.reason,
        message: input.message.slice(0, 1024),
        source: { component: "gannet" },
        reportingComponent: "gannet.io/ingress-controller",
        reportingInstance: input.instance,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
    });
  }
}

/** One Event to record. */
export interface EventInput {
  readonly ingress: Ingress;
  readonly type: "Normal" | "Warning";
  readonly reason: string;
  readonly message: string;
  readonly instance: string;
}

/** The HTTP status of a client error, if it has one. */
export function statusCodeOf(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown } | undefined;
  if (typeof e?.code === "number") return e.code;
  if (typeof e?.statusCode === "number") return e.statusCode;
  return undefined;
}
