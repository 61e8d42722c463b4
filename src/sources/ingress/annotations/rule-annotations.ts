// Model stage: the per-backend annotations `actions.<name>`, `conditions.<name>` and `transforms.<name>`
// of one Ingress, read and validated (formats in rule-annotation-schemas.ts). `<name>` is the backend's
// service name, or the action name when its port is `use-annotation`.

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
import { type ActionAnnotation, actionSchema } from "./action-schema.ts";
import { conditionsSchema } from "./condition-schema.ts";
import { type JsonRead, readJsonAnnotation } from "./json-annotation.ts";
import { RULE_ANNOTATION_KEYS } from "./rule-annotation-schemas.ts";
import { transformsSchema } from "./transform-schema.ts";

/** The three per-backend annotation kinds (each is a name prefix). */
export const RULE_ANNOTATION_PREFIXES = ["actions.", "conditions.", "transforms."] as const;

const EXAMPLES = {
  "actions.": '{"type":"fixed-response","fixedResponseConfig":{"statusCode":"503"}}',
  "conditions.": '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X-Canary","values":["on"]}}]',
  "transforms.":
    '[{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[{"regex":"^/api/(.+)$","replace":"/$1"}]}}]',
} as const;

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
  prefix: (typeof RULE_ANNOTATION_PREFIXES)[number],
  name: string,
  schema: z.ZodType<T>,
): RuleAnnotationRead<T> {
  const annotation = `${prefix}${name}`;
  const raw = ingress.metadata.annotations?.[`${ANNOTATION_PREFIX}${annotation}`];
  if (raw === undefined) return { present: false };
  const result: JsonRead<T> = readJsonAnnotation(raw, schema, RULE_ANNOTATION_KEYS, EXAMPLES[prefix]);
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
  return read(ingress, "actions.", name, actionSchema);
}

/** Reads `conditions.<name>`. */
export function readConditionsAnnotation(
  ingress: Ingress,
  name: string,
): RuleAnnotationRead<RuleCondition[]> {
  return read(ingress, "conditions.", name, conditionsSchema);
}

/** Reads `transforms.<name>`. */
export function readTransformsAnnotation(
  ingress: Ingress,
  name: string,
): RuleAnnotationRead<RuleTransform[]> {
  return read(ingress, "transforms.", name, transformsSchema);
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
    const prefix = RULE_ANNOTATION_PREFIXES.find((p) => annotation.startsWith(p));
    if (!prefix) continue;
    const name = annotation.slice(prefix.length);
    if (used.paths.has(name) || (prefix === "actions." && used.defaultBackend === name)) continue;
    const how = prefix === "actions." ? ` with port name "use-annotation"` : "";
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
