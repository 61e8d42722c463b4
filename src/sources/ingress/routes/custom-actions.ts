// Ingress front end: a backend `service: {name: <name>, port: {name: use-annotation}}` answers with the action
// of its `actions.<name>` annotation (fixed-response, redirect, or forward to weighted target groups).
//
// Bad input stays with the path: a missing or invalid annotation answers 503 (scope "rule"). A weighted
// forward keeps the targets it can resolve: a member whose Service or port is missing is left out with
// a Problem (a canary's typo never takes the stable backend down); with no member left, 503.

import type { Problem } from "../../../model/desired.ts";
import type { Ingress, IngressBackend, Service } from "../../../model/kube-objects.ts";
import { annotationField, createProblem, objectKey } from "../../../model/problems.ts";
import { readActionAnnotation } from "../annotations/rule-annotations.ts";
import {
  type ActionBackend,
  type ForwardTarget,
  findServicePort,
  type RouteBackend,
  resolveBackend,
  serviceUnavailable,
  type UnresolvedBackend,
  USE_ANNOTATION_PORT,
} from "./backends.ts";

/** A resolved backend and the warnings found on the way (ignored keys, dropped forward members). */
export interface RouteBackendRead {
  readonly backend: RouteBackend;
  readonly problems: readonly Problem[];
}

/**
 * Resolves a backend of `ingress` (`field` is its path, like `spec.rules[0].http.paths[1].backend`):
 * a Service port, or with port `use-annotation` the `actions.<service name>` annotation.
 */
export function resolveRouteBackend(
  ingress: Ingress,
  backend: IngressBackend,
  field: string,
  services: readonly Service[],
): RouteBackendRead {
  const name = backend.service?.name;
  if (name === undefined || backend.service?.port.name !== USE_ANNOTATION_PORT) {
    const resolved = resolveBackend(ingress, backend, field, services);
    return { backend: resolved, problems: resolved.ok ? [] : [resolved.problem] };
  }
  const key = objectKey(ingress);
  const action = readActionAnnotation(ingress, name);
  const unresolved = (problem: Problem, body: string): RouteBackendRead => {
    const backend: UnresolvedBackend = { ok: false, action: serviceUnavailable(body), problem };
    return { backend, problems: [problem] };
  };
  if (!action.present) {
    const message = `port "use-annotation" needs the annotation alb.ingress.kubernetes.io/actions.${name} on this Ingress, which is missing; the path answers 503: add the annotation or point the backend at a Service port`;
    const problem = createProblem({
      ingress: key,
      field: `${field}.service.port.name`,
      value: USE_ANNOTATION_PORT,
      message,
      scope: "rule",
    });
    return unresolved(problem, `Backend action ${name} not found`);
  }
  if (!action.ok) {
    const message = `${action.message}; the paths whose backend is "${name}" answer 503 until this is fixed`;
    const problem = createProblem({
      ingress: key,
      field: action.field,
      value: action.raw,
      message,
      scope: "rule",
    });
    return unresolved(problem, `Backend action ${name} is invalid`);
  }
  const a = action.value;
  if (a.type !== "forward") {
    // Fixed responses and redirects are already in the model's shape.
    return { backend: { ok: true, kind: "action", name, action: a }, problems: action.warnings };
  }
  const problems: Problem[] = [...action.warnings];
  const targets: ForwardTarget[] = [];
  const single = a.members.length === 1;
  a.members.forEach((m, i) => {
    const weight = m.weight ?? 1;
    if ("targetGroupArn" in m) {
      if (targets.some((t) => "targetGroupArn" in t && t.targetGroupArn === m.targetGroupArn)) {
        problems.push(
          createProblem({
            ingress: key,
            field: `${annotationField(`actions.${name}`)}.forwardConfig.targetGroups[${i}].targetGroupARN`,
            value: m.targetGroupArn,
            message:
              "names this target group a second time; this entry is left out: list each target group once",
            scope: "rule",
          }),
        );
      } else targets.push({ targetGroupArn: m.targetGroupArn, weight });
      return;
    }
    const found = findServicePort(ingress.metadata.namespace, m.serviceName, m.servicePort, services);
    if (found.ok && targets.some((t) => "backend" in t && t.backend.key === found.key)) {
      // AWS refuses a forward that names a target group twice.
      problems.push(
        createProblem({
          ingress: key,
          field: `${annotationField(`actions.${name}`)}.forwardConfig.targetGroups[${i}]`,
          value: `${m.serviceName}:${m.servicePort}`,
          message: `names Service port ${found.key} a second time; this entry is left out: list each target group once`,
          scope: "rule",
        }),
      );
      return;
    }
    if (found.ok) {
      targets.push({ backend: { kind: "service", ...found }, weight });
      return;
    }
    const where = single ? "" : `.forwardConfig.targetGroups[${i}]`;
    const suffix = found.missing === "service" ? "serviceName" : "servicePort";
    const consequence = single
      ? "the path answers 503 until it exists"
      : "this target group is left out of the forward and the others share its traffic until it exists";
    problems.push(
      createProblem({
        ingress: key,
        field: `${annotationField(`actions.${name}`)}${where || ".forwardConfig.targetGroups[0]"}.${suffix}`,
        value: String(found.missing === "service" ? m.serviceName : m.servicePort),
        message: `${found.message}; ${consequence}: create it or fix the ${suffix}`,
        scope: "rule",
      }),
    );
  });
  const last = problems.at(-1);
  if (targets.length === 0 && last) {
    const backend: UnresolvedBackend = {
      ok: false,
      action: serviceUnavailable(`Backend action ${name} has no target group`),
      problem: last,
    };
    return { backend, problems };
  }
  const resolved: ActionBackend = {
    ok: true,
    kind: "action",
    name,
    action: a.stickiness
      ? { type: "forward", targets, stickiness: a.stickiness }
      : { type: "forward", targets },
  };
  return { backend: resolved, problems };
}
