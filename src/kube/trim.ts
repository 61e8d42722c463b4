// Kubernetes adapter: cut API objects down to the fields the core reads (src/model/kube-objects.ts)
// before they enter the informer caches. A cache of 5,000 Ingresses and 50,000 endpoints then holds
// no managedFields, no last-applied-configuration, no status the core ignores. Works on raw JSON
// (watch events) and on the client's deserialized objects (lists, whose timestamps are Dates).

import type {
  ConfigMap,
  Endpoint,
  EndpointSlice,
  Ingress,
  IngressClass,
  ObjectMeta,
  Service,
} from "../model/kube-objects.ts";
import { SERVICE_NAME_LABEL } from "../model/kube-objects.ts";

type Raw = Record<string, unknown>;

const DROPPED_ANNOTATIONS = new Set(["kubectl.kubernetes.io/last-applied-configuration"]);

function rec(v: unknown): Raw | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Raw) : undefined;
}

function str(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (v instanceof Date) return v.toISOString();
  return undefined;
}

function strings(v: unknown): Record<string, string> | undefined {
  const r = rec(v);
  if (!r) return undefined;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(r)) if (typeof val === "string") out[k] = val;
  return out;
}

function meta(raw: unknown, opts: { annotations: boolean; labels?: readonly string[] }): ObjectMeta {
  const m = rec(raw) ?? {};
  const annotations = opts.annotations ? strings(m.annotations) : undefined;
  for (const k of DROPPED_ANNOTATIONS) if (annotations) delete annotations[k];
  const allLabels = strings(m.labels);
  const labels =
    allLabels && opts.labels
      ? Object.fromEntries(opts.labels.filter((k) => k in allLabels).map((k) => [k, allLabels[k] ?? ""]))
      : undefined;
  const finalizers = Array.isArray(m.finalizers)
    ? m.finalizers.filter((f): f is string => typeof f === "string")
    : undefined;
  const out: { -readonly [K in keyof ObjectMeta]: ObjectMeta[K] } = {
    namespace: str(m.namespace) ?? "",
    name: str(m.name) ?? "",
  };
  const uid = str(m.uid);
  const resourceVersion = str(m.resourceVersion);
  const deletionTimestamp = str(m.deletionTimestamp);
  if (uid) out.uid = uid;
  if (resourceVersion) out.resourceVersion = resourceVersion;
  if (typeof m.generation === "number") out.generation = m.generation;
  if (annotations && Object.keys(annotations).length > 0) out.annotations = annotations;
  if (labels && Object.keys(labels).length > 0) out.labels = labels;
  if (finalizers && finalizers.length > 0) out.finalizers = finalizers;
  if (deletionTimestamp) out.deletionTimestamp = deletionTimestamp;
  return out;
}

/** The fields of an Ingress the core reads: metadata, spec, and the status address. */
export function trimIngress(raw: unknown): Ingress {
  const o = rec(raw) ?? {};
  const spec = (rec(o.spec) ?? {}) as Ingress["spec"];
  const lb = rec(rec(o.status)?.loadBalancer);
  const addresses = Array.isArray(lb?.ingress)
    ? lb.ingress.map((a) => {
        const r = rec(a) ?? {};
        return {
          ...(typeof r.hostname === "string" ? { hostname: r.hostname } : {}),
          ...(typeof r.ip === "string" ? { ip: r.ip } : {}),
        };
      })
    : undefined;
  return {
    metadata: meta(o.metadata, { annotations: true }),
    // The spec is small and read whole (the model validates it); only client-added undefineds go.
    spec: JSON.parse(JSON.stringify(spec)) as Ingress["spec"],
    ...(addresses ? { status: { loadBalancer: { ingress: addresses } } } : {}),
  };
}

/** An IngressClass: name, annotations (the default marker) and spec. */
export function trimIngressClass(raw: unknown): IngressClass {
  const o = rec(raw) ?? {};
  const spec = rec(o.spec) ?? {};
  const { namespace: _, ...metadata } = meta(o.metadata, { annotations: true });
  return {
    metadata,
    spec: {
      ...(typeof spec.controller === "string" ? { controller: spec.controller } : {}),
      ...(spec.parameters !== undefined ? { parameters: JSON.parse(JSON.stringify(spec.parameters)) } : {}),
    },
  };
}

/** A ConfigMap: metadata and its string data (a join policy). */
export function trimConfigMap(raw: unknown): ConfigMap {
  const o = rec(raw) ?? {};
  const data = rec(o.data);
  const strings = Object.fromEntries(
    Object.entries(data ?? {}).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
  return { metadata: meta(o.metadata, { annotations: false }), ...(data ? { data: strings } : {}) };
}

/** A Service: metadata with annotations (they override target-group settings), type and ports. */
export function trimService(raw: unknown): Service {
  const o = rec(raw) ?? {};
  const spec = rec(o.spec) ?? {};
  const ports = Array.isArray(spec.ports)
    ? spec.ports.map((p) => {
        const r = rec(p) ?? {};
        return {
          port: typeof r.port === "number" ? r.port : 0,
          ...(typeof r.name === "string" ? { name: r.name } : {}),
          ...(typeof r.targetPort === "number" || typeof r.targetPort === "string"
            ? { targetPort: r.targetPort }
            : {}),
          ...(typeof r.protocol === "string" ? { protocol: r.protocol } : {}),
        };
      })
    : undefined;
  return {
    metadata: meta(o.metadata, { annotations: true }),
    spec: { ...(typeof spec.type === "string" ? { type: spec.type } : {}), ...(ports ? { ports } : {}) },
  };
}

function trimEndpoint(raw: unknown): Endpoint {
  const r = rec(raw) ?? {};
  const c = rec(r.conditions);
  const conditions = c
    ? {
        ...(typeof c.ready === "boolean" ? { ready: c.ready } : {}),
        ...(typeof c.serving === "boolean" ? { serving: c.serving } : {}),
        ...(typeof c.terminating === "boolean" ? { terminating: c.terminating } : {}),
      }
    : undefined;
  return {
    addresses: Array.isArray(r.addresses)
      ? r.addresses.filter((a): a is string => typeof a === "string")
      : [],
    ...(conditions && Object.keys(conditions).length > 0 ? { conditions } : {}),
    ...(typeof r.zone === "string" ? { zone: r.zone } : {}),
  };
}

/** An EndpointSlice: its Service label, address type, endpoints (addresses, conditions, zone) and ports. */
export function trimEndpointSlice(raw: unknown): EndpointSlice {
  const o = rec(raw) ?? {};
  const ports = Array.isArray(o.ports)
    ? o.ports.map((p) => {
        const r = rec(p) ?? {};
        return {
          ...(typeof r.name === "string" ? { name: r.name } : {}),
          ...(typeof r.port === "number" ? { port: r.port } : {}),
          ...(typeof r.protocol === "string" ? { protocol: r.protocol } : {}),
        };
      })
    : undefined;
  return {
    metadata: meta(o.metadata, { annotations: false, labels: [SERVICE_NAME_LABEL] }),
    addressType: str(o.addressType) ?? "",
    ...(Array.isArray(o.endpoints) ? { endpoints: o.endpoints.map(trimEndpoint) } : {}),
    ...(ports ? { ports } : {}),
  };
}
