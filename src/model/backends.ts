// Model stage: Ingress backends resolved to Service ports, and the pod IPs behind them.
// A backend that cannot be resolved answers 503 with a Problem (scope "rule"), so the rest of the group
// still converges.

import type { Problem, RuleAction, Target } from "./desired.ts";
import {
  type EndpointSlice,
  type Ingress,
  type IngressBackend,
  SERVICE_NAME_LABEL,
  type Service,
  type ServicePort,
} from "./kube-objects.ts";
import { compareStrings, createProblem, objectKey } from "./problems.ts";

/** A backend resolved to a Service port, keyed `<namespace>/<service>:<port as written>`. */
export interface ResolvedBackend {
  readonly ok: true;
  readonly key: string;
  readonly service: Service;
  readonly servicePort: ServicePort;
}

/** A backend that cannot be served: the 503 answered instead, and the Problem. */
export interface UnresolvedBackend {
  readonly ok: false;
  readonly action: RuleAction;
  readonly problem: Problem;
}

/** The port name AWS LBC uses to point a backend at an `actions.<name>` annotation. */
export const USE_ANNOTATION_PORT = "use-annotation";

/** A fixed 503 response naming what is missing. */
export function serviceUnavailable(body: string): RuleAction {
  return { type: "fixed-response", statusCode: "503", contentType: "text/plain", messageBody: body };
}

/** Resolves one backend of `ingress`; `field` is its path, e.g. `spec.rules[0].http.paths[1].backend`. */
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
  const notFound = `Backend service ${namespace}/${name} not found`;
  if (port.number === undefined && port.name === USE_ANNOTATION_PORT) {
    const message = `port "use-annotation" points at the actions.${name} annotation, which Gannet does not support yet; the path answers 503: point the backend at a Service port`;
    return fail(".service.port.name", USE_ANNOTATION_PORT, message, notFound);
  }
  const service = services.find((s) => s.metadata.namespace === namespace && s.metadata.name === name);
  if (!service) {
    const message = `Service ${namespace}/${name} not found; the path answers 503 until it exists: create it or fix the backend's service name`;
    return fail(".service.name", name, message, notFound);
  }
  const ports = service.spec.ports ?? [];
  const servicePort =
    port.number !== undefined
      ? ports.find((p) => p.port === port.number)
      : ports.find((p) => port.name !== undefined && p.name === port.name);
  const written = port.number !== undefined ? String(port.number) : (port.name ?? "");
  if (!servicePort) {
    const available =
      ports.map((p) => (p.name ? `${p.port} (${p.name})` : String(p.port))).join(", ") || "none";
    const suffix = port.number !== undefined ? ".service.port.number" : ".service.port.name";
    const message = `Service ${namespace}/${name} has no port ${JSON.stringify(written)} (its ports: ${available}); the path answers 503: use one of its ports`;
    return fail(suffix, written, message, `Backend service ${namespace}/${name} port ${written} not found`);
  }
  return { ok: true, key: `${namespace}/${name}:${written}`, service, servicePort };
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
