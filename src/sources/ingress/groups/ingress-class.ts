// Ingress front end: which Ingresses are Gannet's, decided from IngressClasses (as the Kubernetes docs say).
//
// Order of evaluation: `spec.ingressClassName`; else the legacy `kubernetes.io/ingress.class` annotation
// (naming an IngressClass); else the cluster's default IngressClass. AWS LBC lets the annotation win over
// the field; the API server refuses new Ingresses that set both, so this only matters for old objects.

import type { Ingress, IngressClass } from "../../../model/kube-objects.ts";
import { compareStrings, objectKey } from "../../../model/problems.ts";
import { KUBERNETES_ANNOTATIONS } from "../annotations/annotation-registry.ts";

/** The controller name Gannet's IngressClasses carry in `spec.controller`. */
export const GANNET_CONTROLLER = "gannet.io/ingress-controller";

/** The legacy annotation naming an Ingress's class. */
export const LEGACY_CLASS_ANNOTATION = KUBERNETES_ANNOTATIONS.ingressClass.name;

/** The annotation marking an IngressClass as the cluster default. */
export const DEFAULT_CLASS_ANNOTATION = KUBERNETES_ANNOTATIONS.isDefaultClass.name;

/** Input of `selectIngresses`. */
export interface SelectIngressesInput {
  readonly ingresses: readonly Ingress[];
  readonly ingressClasses: readonly IngressClass[];
  readonly controller: string;
}

/** Ingresses Gannet manages, and the others with the reason they were skipped (for logs). */
export interface IngressSelection {
  readonly accepted: Ingress[];
  /**
   * `released` is true when the Ingress is certainly another controller's (its class exists and is
   * theirs); false when Gannet cannot tell (a missing or ambiguous class): a group it belonged to must
   * then be frozen, never torn down, since the class may be back a moment later.
   */
  readonly skipped: { readonly ingress: string; readonly reason: string; readonly released: boolean }[];
  /** The IngressClass (by name) each accepted Ingress belongs to, by namespace/name. */
  readonly classOf: ReadonlyMap<string, string>;
}

/** Splits Ingresses into those whose class belongs to `controller` and the rest, in namespace/name order. */
export function selectIngresses(input: SelectIngressesInput): IngressSelection {
  const classes = new Map(input.ingressClasses.map((c) => [c.metadata.name, c]));
  const defaults = input.ingressClasses
    .filter((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === "true")
    .map((c) => c.metadata.name)
    .sort(compareStrings);
  const accepted: Ingress[] = [];
  const skipped: { ingress: string; reason: string; released: boolean }[] = [];
  const classOf = new Map<string, string>();
  const sorted = [...input.ingresses].sort((a, b) => compareStrings(objectKey(a), objectKey(b)));
  for (const ingress of sorted) {
    const rejection = rejectionReason(ingress, classes, defaults, input.controller);
    if (rejection === undefined) {
      accepted.push(ingress);
      const named = ingress.spec.ingressClassName ?? ingress.metadata.annotations?.[LEGACY_CLASS_ANNOTATION];
      classOf.set(objectKey(ingress), named ?? defaults[0] ?? "");
    } else skipped.push({ ingress: objectKey(ingress), ...rejection });
  }
  return { accepted, skipped, classOf };
}

/** Why `ingress` is not the controller's, or undefined when it is. */
function rejectionReason(
  ingress: Ingress,
  classes: ReadonlyMap<string, IngressClass>,
  defaults: readonly string[],
  controller: string,
): { reason: string; released: boolean } | undefined {
  const byField = ingress.spec.ingressClassName;
  const byAnnotation = ingress.metadata.annotations?.[LEGACY_CLASS_ANNOTATION];
  const named = byField ?? byAnnotation;
  if (named !== undefined) {
    const how = byField !== undefined ? "spec.ingressClassName" : `annotation ${LEGACY_CLASS_ANNOTATION}`;
    const ingressClass = classes.get(named);
    if (!ingressClass)
      return { reason: `${how} names IngressClass "${named}", which does not exist`, released: false };
    const owner = ingressClass.spec.controller;
    if (owner !== controller) {
      return {
        reason: `${how} names IngressClass "${named}" of controller "${owner ?? ""}"`,
        released: true,
      };
    }
    return undefined;
  }
  if (defaults.length === 0)
    return { reason: "no ingressClassName and no default IngressClass", released: false };
  const foreign = defaults.filter((name) => classes.get(name)?.spec.controller !== controller);
  if (foreign.length === defaults.length) {
    return {
      reason: `no ingressClassName; the default IngressClass "${defaults.join('", "')}" is another controller's`,
      released: true,
    };
  }
  if (foreign.length > 0) {
    return {
      reason: `no ingressClassName and several default IngressClasses (${defaults.join(", ")}): set spec.ingressClassName`,
      released: false,
    };
  }
  return undefined;
}
