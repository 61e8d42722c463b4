// Observe stage: the Kubernetes objects an in-cluster controller holds in its informer caches, with
// the indexes that map a change to the Ingress groups it affects (an EndpointSlice to its Service,
// a Service to the Ingresses routing to it, an Ingress to its groups) without a scan, and a
// per-group snapshot for the reconcile core. Pure: informers feed it plain objects.

import type { KubeSnapshot } from "../kube/kube-port.ts";
import type { GroupKey } from "../model/desired.ts";
import {
  type ConfigMap,
  type EndpointSlice,
  type Ingress,
  type IngressClass,
  SERVICE_NAME_LABEL,
  type Service,
} from "../model/kube-objects.ts";
import { compareStrings, objectKey } from "../model/problems.ts";
import {
  classNameOfIngress,
  groupsOfIngress,
  servicesOfIngress,
} from "../sources/ingress/groups/ingress-references.ts";

/** The kinds the cache holds. */
export type CachedKind = "Ingress" | "IngressClass" | "Service" | "EndpointSlice" | "ConfigMap";

/** The groups a change affects, or why it affects none (for the debug log). */
export interface CacheChange {
  readonly groups: readonly GroupKey[];
  readonly skipped?: string;
}

/** A many-to-many index: key -> values, kept with its inverse by the caller. */
class MultiIndex {
  private readonly map = new Map<string, Set<string>>();

  add(key: string, value: string): void {
    const set = this.map.get(key);
    if (set) set.add(value);
    else this.map.set(key, new Set([value]));
  }

  delete(key: string, value: string): void {
    const set = this.map.get(key);
    if (!set) return;
    set.delete(value);
    if (set.size === 0) this.map.delete(key);
  }

  get(key: string): ReadonlySet<string> {
    return this.map.get(key) ?? new Set();
  }

  keys(): IterableIterator<string> {
    return this.map.keys();
  }
}

/** What of an Ingress the indexes are built from. */
interface IngressRefs {
  readonly groups: readonly string[];
  readonly services: readonly string[];
  readonly className: string;
}

/** Compares two versions of an object by content, ignoring resourceVersion (and an Ingress's status). */
function sameContent<T extends { readonly metadata: { readonly resourceVersion?: string } }>(
  a: T,
  b: T,
  ignore: readonly string[] = [],
): boolean {
  const strip = (o: T) => {
    const { resourceVersion: _, ...metadata } = o.metadata;
    const copy: Record<string, unknown> = { ...o, metadata };
    for (const k of ignore) delete copy[k];
    return JSON.stringify(copy);
  };
  return strip(a) === strip(b);
}

/** The informer caches of one controller, indexed by the groups each object affects. */
export class ClusterCache {
  private readonly ingresses = new Map<string, Ingress>();
  private readonly classes = new Map<string, IngressClass>();
  private readonly services = new Map<string, Service>();
  private readonly slices = new Map<string, EndpointSlice>();
  /** ConfigMaps of Gannet's namespace: the join policies IngressClasses may name. */
  private readonly configMaps = new Map<string, ConfigMap>();
  private readonly refs = new Map<string, IngressRefs>();
  private readonly ingressesByGroup = new MultiIndex();
  private readonly ingressesByService = new MultiIndex();
  private readonly ingressesByClass = new MultiIndex();
  private readonly slicesByService = new MultiIndex();

  /** Records an added or changed object; returns the groups to reconcile. */
  upsert(kind: CachedKind, obj: Ingress | IngressClass | Service | EndpointSlice | ConfigMap): CacheChange {
    switch (kind) {
      case "ConfigMap":
        return this.upsertConfigMap(obj as ConfigMap);
      case "Ingress":
        return this.upsertIngress(obj as Ingress);
      case "IngressClass":
        return this.upsertClass(obj as IngressClass);
      case "Service":
        return this.upsertService(obj as Service);
      case "EndpointSlice":
        return this.upsertSlice(obj as EndpointSlice);
    }
  }

  /** Records a deleted object; returns the groups to reconcile. */
  remove(
    kind: CachedKind,
    obj: { readonly metadata: { readonly namespace?: string; readonly name: string } },
  ): CacheChange {
    const key = `${obj.metadata.namespace ?? ""}/${obj.metadata.name}`;
    switch (kind) {
      case "Ingress": {
        const refs = this.refs.get(key);
        this.ingresses.delete(key);
        this.unindexIngress(key);
        return { groups: refs?.groups ?? [] };
      }
      case "IngressClass": {
        this.classes.delete(obj.metadata.name);
        return { groups: this.groupsOfClass(obj.metadata.name) };
      }
      case "ConfigMap":
        if (!this.configMaps.delete(key)) return { groups: [] };
        return { groups: this.groupsOfConfigMap(key) };
      case "Service":
        this.services.delete(key);
        return { groups: this.groupsOfService(key) };
      case "EndpointSlice": {
        const old = this.slices.get(key);
        this.slices.delete(key);
        const service = old && serviceOfSlice(old);
        if (service) this.slicesByService.delete(service, key);
        return { groups: service ? this.groupsOfService(service) : [] };
      }
    }
  }

  private upsertIngress(ingress: Ingress): CacheChange {
    const key = objectKey(ingress);
    const old = this.ingresses.get(key);
    this.ingresses.set(key, ingress);
    // Gannet's own status patches come back as events: they change nothing a reconcile reads.
    if (old && sameContent(old, ingress, ["status"]))
      return { groups: [], skipped: "status or resourceVersion only" };
    const before = this.refs.get(key)?.groups ?? [];
    this.unindexIngress(key);
    const refs: IngressRefs = {
      groups: groupsOfIngress(ingress),
      services: servicesOfIngress(ingress),
      className: classNameOfIngress(ingress),
    };
    this.refs.set(key, refs);
    for (const g of refs.groups) this.ingressesByGroup.add(g, key);
    for (const s of refs.services) this.ingressesByService.add(s, key);
    this.ingressesByClass.add(refs.className, key);
    return { groups: [...new Set([...before, ...refs.groups])] };
  }

  private unindexIngress(key: string): void {
    const refs = this.refs.get(key);
    if (!refs) return;
    for (const g of refs.groups) this.ingressesByGroup.delete(g, key);
    for (const s of refs.services) this.ingressesByService.delete(s, key);
    this.ingressesByClass.delete(refs.className, key);
    this.refs.delete(key);
  }

  private upsertClass(ingressClass: IngressClass): CacheChange {
    const name = ingressClass.metadata.name;
    const old = this.classes.get(name);
    this.classes.set(name, ingressClass);
    if (old && sameContent(old, ingressClass)) return { groups: [], skipped: "resourceVersion only" };
    return { groups: this.groupsOfClass(name) };
  }

  private upsertConfigMap(configMap: ConfigMap): CacheChange {
    const key = objectKey(configMap);
    const old = this.configMaps.get(key);
    this.configMaps.set(key, configMap);
    if (old && sameContent(old, configMap)) return { groups: [], skipped: "resourceVersion only" };
    return { groups: this.groupsOfConfigMap(key) };
  }

  // A join policy changes which members a group admits: the groups of every class that names it.
  private groupsOfConfigMap(key: string): string[] {
    const classes = [...this.classes.values()].filter((c) => {
      const p = c.spec.parameters as { kind?: string; name?: string; namespace?: string } | undefined;
      return p?.kind === "ConfigMap" && `${p.namespace ?? ""}/${p.name ?? ""}` === key;
    });
    return [...new Set(classes.flatMap((c) => this.groupsOfClass(c.metadata.name)))].sort(compareStrings);
  }

  private upsertService(service: Service): CacheChange {
    const key = objectKey(service);
    const old = this.services.get(key);
    this.services.set(key, service);
    if (old && sameContent(old, service)) return { groups: [], skipped: "resourceVersion only" };
    return { groups: this.groupsOfService(key) };
  }

  private upsertSlice(slice: EndpointSlice): CacheChange {
    const key = objectKey(slice);
    const old = this.slices.get(key);
    this.slices.set(key, slice);
    if (old && sameContent(old, slice)) return { groups: [], skipped: "resourceVersion only" };
    const before = old && serviceOfSlice(old);
    const after = serviceOfSlice(slice);
    if (before) this.slicesByService.delete(before, key);
    if (after) this.slicesByService.add(after, key);
    const services = [...new Set([before, after].filter((s): s is string => s !== undefined))];
    return { groups: [...new Set(services.flatMap((s) => this.groupsOfService(s)))] };
  }

  private groupsOfService(serviceKey: string): string[] {
    return this.groupsOfIngresses(this.ingressesByService.get(serviceKey));
  }

  // A class change can accept or release the Ingresses naming it, and (as a default class) those
  // naming none.
  private groupsOfClass(name: string): string[] {
    return this.groupsOfIngresses([...this.ingressesByClass.get(name), ...this.ingressesByClass.get("")]);
  }

  private groupsOfIngresses(keys: Iterable<string>): string[] {
    const groups = new Set<string>();
    for (const k of keys) for (const g of this.refs.get(k)?.groups ?? []) groups.add(g);
    return [...groups].sort(compareStrings);
  }

  /** Every group any cached Ingress belongs to or still holds a finalizer for. */
  groups(): GroupKey[] {
    return [...this.ingressesByGroup.keys()].sort(compareStrings);
  }

  /**
   * What the core needs to reconcile `group`: every Ingress that belongs to it or names it in a
   * finalizer, the Services they route to and those Services' EndpointSlices, and every IngressClass.
   */
  snapshotOf(group: GroupKey): KubeSnapshot {
    const ingresses = [...this.ingressesByGroup.get(group)]
      .map((k) => this.ingresses.get(k))
      .filter((i): i is Ingress => i !== undefined);
    const serviceKeys = new Set(ingresses.flatMap((i) => this.refs.get(objectKey(i))?.services ?? []));
    const services: Service[] = [];
    const endpointSlices: EndpointSlice[] = [];
    for (const s of [...serviceKeys].sort(compareStrings)) {
      const service = this.services.get(s);
      if (service) services.push(service);
      for (const k of this.slicesByService.get(s)) {
        const slice = this.slices.get(k);
        if (slice) endpointSlices.push(slice);
      }
    }
    return {
      ingressClasses: [...this.classes.values()],
      ingresses,
      services,
      endpointSlices,
      classParameters: [...this.configMaps.values()],
    };
  }

  /** How many objects of each kind the cache holds (metrics). */
  counts(): Record<CachedKind, number> {
    return {
      Ingress: this.ingresses.size,
      IngressClass: this.classes.size,
      Service: this.services.size,
      EndpointSlice: this.slices.size,
      ConfigMap: this.configMaps.size,
    };
  }
}

function serviceOfSlice(slice: EndpointSlice): string | undefined {
  const name = slice.metadata.labels?.[SERVICE_NAME_LABEL];
  return name ? `${slice.metadata.namespace}/${name}` : undefined;
}
