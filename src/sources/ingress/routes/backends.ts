// Ingress front end: Ingress backends resolved to Service ports, and the pod IPs behind them.
// A backend that cannot be resolved answers 503 with a Problem (scope "rule"), so the rest of the group
// still converges.

import type { Problem, RuleAction, Target } from "../../../model/desired.ts";
import {
  type EndpointSlice,
  type Ingress,
  type IngressBackend,
  SERVICE_NAME_LABEL,
  type Service,
  type ServicePort,
} from "../../../model/kube-objects.ts";
import { compareStrings, createProblem, objectKey } from "../../../model/problems.ts";

/** A backend resolved to a Service port, keyed `<namespace>/<service>:<port as written>`. */
export interface ResolvedBackend {
  readonly ok: true;
  readonly kind: "service";
  readonly key: string;
  readonly service: Service;
  readonly servicePort: ServicePort;
}

/** A target of a weighted forward: a Service port of the group, or a target group by ARN. */
export type ForwardTarget =
  | { readonly backend: ResolvedBackend; readonly weight: number }
  | { readonly targetGroupArn: string; readonly weight: number };

/** A backend `service.port.name: use-annotation`, resolved to its `actions.<name>` annotation. */
export interface ActionBackend {
  readonly ok: true;
  readonly kind: "action";
  readonly name: string;
  readonly action:
    | Exclude<RuleAction, { type: "forward" }>
    | {
        readonly type: "forward";
        readonly targets: readonly ForwardTarget[];
        readonly stickiness?: { readonly enabled: boolean; readonly durationSeconds: number };
      };
}

/** A backend that cannot be served: the 503 answered instead, and the Problem. */
export interface UnresolvedBackend {
  readonly ok: false;
  readonly action: FixedResponse;
  readonly problem: Problem;
}

/** What a route's backend resolves to. */
export type RouteBackend = ResolvedBackend | ActionBackend | UnresolvedBackend;

/** A fixed response action. */
export type FixedResponse = Extract<RuleAction, { type: "fixed-response" }>;

/** The port name AWS LBC uses to point a backend at an `actions.<name>` annotation. */
export const USE_ANNOTATION_PORT = "use-annotation";

/** A fixed 503 response naming what is missing. */
export function serviceUnavailable(body: string): FixedResponse {
  return { type: "fixed-response", statusCode: "503", contentType: "text/plain", messageBody: body };
}

/** A Service port found by number or name, or what is missing. */
export type ServicePortLookup =
  | { readonly ok: true; readonly key: string; readonly service: Service; readonly servicePort: ServicePort }
  | {
      readonly ok: false;
      readonly missing: "service" | "port";
      readonly message: string;
      readonly body: string;
    };

/** Finds `<namespace>/<name>` and its port (a number, or a port name) among `services`. */
export function findServicePort(
  namespace: string,
  name: string,
  port: number | string,
  services: readonly Service[],
): ServicePortLookup {
  const service = services.find((s) => s.metadata.namespace === namespace && s.metadata.name === name);
  if (!service) {
    return {
      ok: false,
      missing: "service",
      message: `Service ${namespace}/${name} not found`,
      body: `Backend service ${namespace}/${name} not found`,
    };
  }
  const ports = service.spec.ports ?? [];
  const servicePort =
    typeof port === "number" ? ports.find((p) => p.port === port) : ports.find((p) => p.name === port);
  if (!servicePort) {
    const available =
      ports.map((p) => (p.name ? `${p.port} (${p.name})` : String(p.port))).join(", ") || "none";
    return {
      ok: false,
      missing: "port",
      message: `Service ${namespace}/${name} has no port ${JSON.stringify(String(port))} (its ports: ${available})`,
      body: `Backend service ${namespace}/${name} port ${port} not found`,
    };
  }
  return { ok: true, key: `${namespace}/${name}:${port}`, service, servicePort };
}

/**
 * Resolves one Service backend of `ingress`; `field` is its path, e.g. `spec.rules[0].http.paths[1].backend`.
 * A `use-annotation` port is resolved by `resolveRouteBackend` (custom-actions.ts), not here.
 */
export function resolveBackend(
  ingress: Ingress,
  backend: IngressBackend,
  field: string,
  services: readonly Service[],
): ResolvedBackend | UnresolvedBackend {
  const namespace = ingress.metadata.namespace;
  const fail = (suffix: string, value: string, message: string, body: string): UnresolvedBackend => ({
    ok: false,
    action: serviceUnavailable(body),
    problem: createProblem({
      ingress: objectKey(ingress),
      field: `${field}${suffix}`,
      value,
      message,
      scope: "rule",
    }),
  });
  if (backend.resource) {
    const { kind, name } = backend.resource;
    return fail(
      ".resource",
      `${kind}/${name}`,
      "resource backends are not supported; the path answers 503: point it at a Service port",
      `Backend resource ${kind}/${name} is not supported`,
    );
  }
  if (!backend.service) {
    return fail(
      "",
      "",
      "the backend names no Service; the path answers 503: set backend.service",
      "Backend not set",
    );
  }
  const { name, port } = backend.service;
  const written = port.number !== undefined ? port.number : (port.name ?? "");
  const found = findServicePort(namespace, name, written, services);
  if (!found.ok && found.missing === "service") {
    const message = `${found.message}; the path answers 503 until it exists: create it or fix the backend's service name`;
    return fail(".service.name", name, message, found.body);
  }
  if (!found.ok) {
    const suffix = port.number !== undefined ? ".service.port.number" : ".service.port.name";
    return fail(
      suffix,
      String(written),
      `${found.message}; the path answers 503: use one of its ports`,
      found.body,
    );
  }
  return { ...found, kind: "service" };
}

/** Pod IP targets of a Service port: ready IPv4 endpoints of its EndpointSlices, sorted, without duplicates. */
export function buildTargets(
  service: Service,
  servicePort: ServicePort,
  slices: readonly EndpointSlice[],
): Target[] {
  const targets = new Map<string, Target>();
  const portName = servicePort.name ?? "";
  for (const slice of slices) {
    if (
      slice.metadata.namespace !== service.metadata.namespace ||
      slice.metadata.labels?.[SERVICE_NAME_LABEL] !== service.metadata.name ||
      slice.addressType !== "IPv4"
    ) {
      continue;
    }
    const port = slicePort(slice, portName, servicePort.targetPort ?? servicePort.port);
    if (port === undefined) continue;
    for (const endpoint of slice.endpoints ?? []) {
      // An unset `ready` means ready (EndpointSlice API); terminating endpoints stop taking traffic.
      if (endpoint.conditions?.ready === false || endpoint.conditions?.terminating === true) continue;
      for (const id of endpoint.addresses) targets.set(`${id} ${port}`, { id, port });
    }
  }
  return [...targets.values()].sort((a, b) => compareStrings(a.id, b.id) || a.port - b.port);
}

function slicePort(slice: EndpointSlice, portName: string, targetPort: number | string): number | undefined {
  const byName = slice.ports?.find((p) => (p.name ?? "") === portName);
  if (byName?.port !== undefined) return byName.port;
  return typeof targetPort === "number" ? targetPort : undefined;
}
