// Model stage: the per-backend annotations `actions.<name>`, `conditions.<name>` and `transforms.<name>`
// of one Ingress, read and validated with their registry entries' schemas (annotation-registry.ts; format
// in json-annotation.ts). `<name>` is the backend's service name, or the action name when its port is
// `use-annotation`.

import type { z } from "zod";
import type { Problem, RuleCondition, RuleTransform } from "../../../model/desired.ts";
import type { Ingress } from "../../../model/kube-objects.ts";
import {
  ANNOTATION_PREFIX,
  annotationField,
  compareStrings,
  createProblem,
  objectKey,
} from "../../../model/problems.ts";
import type { ActionAnnotation } from "./action-schema.ts";
import { ALB_ANNOTATIONS, namePrefix } from "./annotation-registry.ts";
import { type JsonRead, RULE_ANNOTATION_KEYS, readJsonAnnotation } from "./json-annotation.ts";

const RULE_SPECS = [ALB_ANNOTATIONS.actions, ALB_ANNOTATIONS.conditions, ALB_ANNOTATIONS.transforms] as const;
/** The name prefix of a pattern entry (`actions.` of `actions.<name>`). */
function prefixOf(spec: { readonly name: string }): string {
  return namePrefix(spec) ?? spec.name;
}

/** One annotation read: absent, a value (with warnings for ignored keys), or the Problem's parts. */
export type RuleAnnotationRead<T> =
  | { readonly present: false }
  | { readonly present: true; readonly ok: true; readonly value: T; readonly warnings: readonly Problem[] }
  | {
      readonly present: true;
      readonly ok: false;
      /** The annotation's field path, with the JSON path inside the value where it went wrong. */
      readonly field: string;
      readonly raw: string;
      readonly message: string;
    };

function read<T>(
  ingress: Ingress,
  spec: { readonly name: string; readonly schema: z.ZodType<T>; readonly example: string },
  name: string,
): RuleAnnotationRead<T> {
  const prefix = prefixOf(spec);
  const annotation = `${prefix}${name}`;
  const raw = ingress.metadata.annotations?.[`${ANNOTATION_PREFIX}${annotation}`];
  if (raw === undefined) return { present: false };
  const result: JsonRead<T> = readJsonAnnotation(raw, spec.schema, RULE_ANNOTATION_KEYS, spec.example);
  const field = annotationField(annotation);
  if (!result.ok)
    return { present: true, ok: false, field: `${field}${result.path}`, raw, message: result.message };
  const warnings = result.ignored.map((path) =>
    createProblem({
      ingress: objectKey(ingress),
      field: `${field}${path}`,
      value: raw,
      message: `is not a key of the ${prefix}<name> format, so it is ignored: check its spelling (keys are case-insensitive)`,
      scope: "rule",
    }),
  );
  return { present: true, ok: true, value: result.value, warnings };
}

/** Reads `actions.<name>`. */
export function readActionAnnotation(ingress: Ingress, name: string): RuleAnnotationRead<ActionAnnotation> {
  return read(ingress, ALB_ANNOTATIONS.actions, name);
}

/** Reads `conditions.<name>`. */
export function readConditionsAnnotation(
  ingress: Ingress,
  name: string,
): RuleAnnotationRead<RuleCondition[]> {
  return read(ingress, ALB_ANNOTATIONS.conditions, name);
}

/** Reads `transforms.<name>`. */
export function readTransformsAnnotation(
  ingress: Ingress,
  name: string,
): RuleAnnotationRead<RuleTransform[]> {
  return read(ingress, ALB_ANNOTATIONS.transforms, name);
}

/** Service (or action) names of the Ingress's paths, and of its default backend. */
function backendNames(ingress: Ingress): { paths: Set<string>; defaultBackend?: string } {
  const paths = new Set<string>();
  for (const rule of ingress.spec.rules ?? []) {
    for (const p of rule.http?.paths ?? []) if (p.backend.service) paths.add(p.backend.service.name);
  }
  const d = ingress.spec.defaultBackend?.service?.name;
  return d === undefined ? { paths } : { paths, defaultBackend: d };
}

/**
 * Warnings for `actions.`/`conditions.`/`transforms.` annotations that affect nothing: no backend of the
 * Ingress names them (conditions and transforms do not apply to the default backend, as in AWS LBC).
 */
export function checkUnusedRuleAnnotations(ingress: Ingress): Problem[] {
  const used = backendNames(ingress);
  const problems: Problem[] = [];
  const names = Object.keys(ingress.metadata.annotations ?? {})
    .filter((k) => k.startsWith(ANNOTATION_PREFIX))
    .map((k) => k.slice(ANNOTATION_PREFIX.length))
    .sort(compareStrings);
  for (const annotation of names) {
    const spec = RULE_SPECS.find((s) => annotation.startsWith(prefixOf(s)));
    if (!spec) continue;
    const prefix = prefixOf(spec);
    const name = annotation.slice(prefix.length);
    const isAction = spec === ALB_ANNOTATIONS.actions;
    if (used.paths.has(name) || (isAction && used.defaultBackend === name)) continue;
    const how = isAction ? ` with port name "use-annotation"` : "";
    const message =
      used.defaultBackend === name
        ? `${prefix.slice(0, -1)} do not apply to the default backend (a listener's default action has no conditions or transforms), so this annotation has no effect: route "${name}" with a rule's path instead`
        : `no path of this Ingress has a backend with service name "${name}", so this annotation has no effect: name "${name}" in a backend's service.name${how}, or remove the annotation`;
    problems.push(
      createProblem({
        ingress: objectKey(ingress),
        field: annotationField(annotation),
        value: ingress.metadata.annotations?.[`${ANNOTATION_PREFIX}${annotation}`] ?? "",
        message,
        scope: "rule",
      }),
    );
  }
  return problems;
}
