// Ingress front end: what an Ingress refers to, so a runtime can map a Service or IngressClass change to
// the Ingresses (and so the groups) it affects without rebuilding every group. Pure.

import type { Ingress, IngressBackend } from "../../../model/kube-objects.ts";
import { ANNOTATION_PREFIX } from "../../../model/problems.ts";
import { ALB_ANNOTATIONS, namePrefix } from "../annotations/annotation-registry.ts";
import { groupsOfFinalizers } from "./finalizers.ts";
import { LEGACY_CLASS_ANNOTATION } from "./ingress-class.ts";
import { groupKeyOf } from "./ingress-groups.ts";

const ACTION_PREFIX = `${ANNOTATION_PREFIX}${namePrefix(ALB_ANNOTATIONS.actions)}`;

/**
 * The Services an Ingress routes to, as `<namespace>/<name>`: its default backend, every path's
 * backend, and the `serviceName`s of forward actions in `actions.<name>` annotations (read loosely:
 * a Service named there is watched even before the action itself is valid).
 */
export function servicesOfIngress(ingress: Ingress): string[] {
  const ns = ingress.metadata.namespace;
  const names = new Set<string>();
  const add = (b: IngressBackend | undefined) => {
    if (b?.service?.name) names.add(b.service.name);
  };
  add(ingress.spec.defaultBackend);
  for (const rule of ingress.spec.rules ?? []) for (const p of rule.http?.paths ?? []) add(p.backend);
  for (const [key, value] of Object.entries(ingress.metadata.annotations ?? {})) {
    if (key.startsWith(ACTION_PREFIX)) for (const name of forwardServiceNames(value)) names.add(name);
  }
  return [...names].sort().map((name) => `${ns}/${name}`);
}

function forwardServiceNames(json: string): string[] {
  let action: unknown;
  try {
    action = JSON.parse(json);
  } catch {
    return [];
  }
  const groups = (action as { forwardConfig?: { targetGroups?: unknown } } | null)?.forwardConfig
    ?.targetGroups;
  if (!Array.isArray(groups)) return [];
  return groups.flatMap((g: unknown) => {
    const name = (g as { serviceName?: unknown } | null)?.serviceName;
    return typeof name === "string" && name !== "" ? [name] : [];
  });
}

/** The IngressClass an Ingress names (field, else legacy annotation), or "" when it relies on the default. */
export function classNameOfIngress(ingress: Ingress): string {
  return ingress.spec.ingressClassName ?? ingress.metadata.annotations?.[LEGACY_CLASS_ANNOTATION] ?? "";
}

/** Every group an Ingress touches: the one it belongs to now and those its finalizers still name. */
export function groupsOfIngress(ingress: Ingress): string[] {
  return [...new Set([groupKeyOf(ingress), ...groupsOfFinalizers(ingress)])];
}
