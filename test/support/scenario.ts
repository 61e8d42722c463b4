// Test support: a namespace of Services, EndpointSlices and Ingresses in the real API server, and a
// Gannet runtime with its own cluster name so its AWS resources cannot meet another test's.

import type { V1Ingress } from "@kubernetes/client-node";
import { CallStats } from "../../src/aws/call-layer.ts";
import { loadSettings, type Settings } from "../../src/config/settings.ts";
import { applyManifests, readManifests } from "../../src/kube/apply-manifests.ts";
import { createRuntime, type Runtime, resolveVpcId, runPass } from "../../src/runtime/pass.ts";
import { collectGroups } from "../../src/sources/ingress/groups/collect-groups.ts";
import { kubeClients, testbedCoordinates, uniqueSuffix } from "./testbed.ts";

/** One backend: a Service with one named port and an EndpointSlice of pod IPs. */
export interface BackendSpec {
  readonly name: string;
  readonly port?: number;
  readonly targetPort?: number;
  readonly ready: readonly string[];
  readonly notReady?: readonly string[];
}

/** A test's world: its namespace, clients, and a Gannet runtime for its own cluster name. */
export class Scenario {
  readonly namespace = `it-${uniqueSuffix()}`;
  readonly cluster = `it-${uniqueSuffix()}`;
  readonly kube = kubeClients();
  readonly stats = new CallStats();
  readonly rt: Runtime;
  /** Settings of this scenario's Gannet: its cluster name, scoped to its namespace. */
  readonly settings: Settings;
  private vpcId: string | undefined;

  /**
   * `crossNamespace`: the runtime sees every namespace (for groups that span namespaces); `reconcile`
   * then still touches only the groups with a member in this namespace and those named in `extra`.
   */
  constructor(opts: { readonly crossNamespace?: boolean } = {}) {
    const { kubeconfig, awsEndpoint } = testbedCoordinates();
    // Scoped to its namespace: other tests' Ingresses in the shared API server are not this test's.
    const scope = opts.crossNamespace ? {} : { namespace: this.namespace };
    this.settings = loadSettings({ cluster: this.cluster, kubeconfig, awsEndpoint, ...scope });
    this.rt = createRuntime(this.settings, this.stats);
  }

  /** Creates the namespace and installs Gannet's IngressClass. */
  async setUp(): Promise<void> {
    await applyManifests(
      this.kube.config,
      readManifests(new URL("../../deploy/ingress-class", import.meta.url).pathname),
    );
    await this.kube.core.createNamespace({ body: { metadata: { name: this.namespace } } });
    this.vpcId = await resolveVpcId(this.rt);
  }

  /** Creates or replaces a Service and its EndpointSlice. */
  async putBackend(b: BackendSpec): Promise<void> {
    const { core, discovery } = this.kube;
    const namespace = this.namespace;
    const service = {
      metadata: { name: b.name },
      spec: { ports: [{ name: "http", port: b.port ?? 80, targetPort: b.targetPort ?? 8080 }] },
    };
    await core.createNamespacedService({ namespace, body: service }).catch(() => undefined);
    const slice = {
      metadata: { name: `${b.name}-slice`, labels: { "kubernetes.io/service-name": b.name } },
      addressType: "IPv4",
      endpoints: [
        ...b.ready.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
        ...(b.notReady ?? []).map((ip) => ({ addresses: [ip], conditions: { ready: false } })),
      ],
      ports: [{ name: "http", port: b.targetPort ?? 8080, protocol: "TCP" }],
    };
    try {
      const current = await discovery.readNamespacedEndpointSlice({ name: slice.metadata.name, namespace });
      await discovery.replaceNamespacedEndpointSlice({
        name: slice.metadata.name,
        namespace,
        body: {
          ...slice,
          metadata: { ...slice.metadata, resourceVersion: current.metadata?.resourceVersion ?? "" },
        },
      });
    } catch {
      await discovery.createNamespacedEndpointSlice({ namespace, body: slice });
    }
  }

  /** Creates or replaces an Ingress of this namespace. */
  async putIngress(ingress: V1Ingress): Promise<void> {
    const { networking } = this.kube;
    const name = ingress.metadata?.name ?? "";
    const body = { ...ingress, metadata: { ...ingress.metadata, namespace: this.namespace } };
    try {
      const current = await networking.readNamespacedIngress({ name, namespace: this.namespace });
      await networking.replaceNamespacedIngress({
        name,
        namespace: this.namespace,
        body: {
          ...body,
          metadata: {
            ...body.metadata,
            finalizers: current.metadata?.finalizers ?? [],
            resourceVersion: current.metadata?.resourceVersion ?? "",
          },
        },
      });
    } catch {
      await networking.createNamespacedIngress({ namespace: this.namespace, body });
    }
  }

  /** Reads an Ingress of this namespace, or undefined once it is gone. */
  async getIngress(name: string): Promise<V1Ingress | undefined> {
    return this.kube.networking
      .readNamespacedIngress({ name, namespace: this.namespace })
      .catch(() => undefined);
  }

  /** Reconciles the groups of this namespace once (and the groups named in `extra`). */
  async reconcile(extra: readonly string[] = [], opts: { readonly verify?: boolean } = {}) {
    const snapshot = await this.rt.kube.readSnapshot();
    const mine = collectGroups(snapshot)
      .filter((g) => [...g.members, ...g.leaving].some((m) => m.metadata.namespace === this.namespace))
      .map((g) => g.group);
    const before = this.stats.snapshot();
    const outcomes = await runPass(this.rt, this.vpcId ?? "", {
      groups: new Set([...mine, ...extra]),
      ...(opts.verify === undefined ? {} : { verify: opts.verify }),
    });
    return { outcomes, calls: this.stats.since(before), totals: this.stats.totals(before) };
  }

  /** Reads the Events recorded for an Ingress. */
  async events(name: string) {
    const list = await this.kube.core.listNamespacedEvent({ namespace: this.namespace });
    return list.items.filter((e) => e.involvedObject.name === name && e.involvedObject.kind === "Ingress");
  }

  tearDown(): void {
    this.rt.close();
  }
}
