// Model stage: how objects and problems in user input are named, truncated, de-duplicated and ordered.

import type { Problem } from "./desired.ts";

/** Prefix of the AWS Load Balancer Controller annotations Gannet reads. */
export const ANNOTATION_PREFIX = "alb.ingress.kubernetes.io/";

/** Longest received value a Problem repeats; longer ones are cut with an ellipsis. */
export const MAX_PROBLEM_VALUE_LENGTH = 200;

/** `<namespace>/<name>` of an object. */
export function objectKey(obj: {
  readonly metadata: { readonly namespace: string; readonly name: string };
}): string {
  return `${obj.metadata.namespace}/${obj.metadata.name}`;
}

/** Compares strings by UTF-16 code units, so order never depends on the locale. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** A copy of `record` with its keys in code-unit order, so equal maps give identical JSON. */
export function sortRecord(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => compareStrings(a, b)));
}

/** The field path of an `alb.ingress.kubernetes.io/<name>` annotation, as Problems name it. */
export function annotationField(name: string): string {
  return `metadata.annotations['${ANNOTATION_PREFIX}${name}']`;
}

/** The field path of an annotation on a backend Service (`service/<name>.metadata.annotations[...]`). */
export function serviceAnnotationField(serviceName: string, name: string): string {
  return `service/${serviceName}.${annotationField(name)}`;
}

/** The value as received, cut to MAX_PROBLEM_VALUE_LENGTH characters. */
export function truncateValue(value: string): string {
  return value.length > MAX_PROBLEM_VALUE_LENGTH ? `${value.slice(0, MAX_PROBLEM_VALUE_LENGTH)}…` : value;
}

/** Builds a Problem, truncating the value, also where the message repeats it whole. */
export function createProblem(problem: Problem): Problem {
  const value = truncateValue(problem.value);
  if (value === problem.value) return problem;
  // Schema messages quote the input ("<5,000 characters>" is not a CIDR): an Event must still have room
  // for the field, the fix and the value.
  const message = problem.message.split(problem.value).join(value);
  return { ...problem, value, message };
}

/** Problems without duplicates, ordered by ingress, field, then message. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  const unique = new Map<string, Problem>();
  for (const p of problems) {
    const normalized: Problem = {
      ingress: p.ingress,
      field: p.field,
      value: p.value,
      message: p.message,
      scope: p.scope,
    };
    unique.set(JSON.stringify(normalized), normalized);
  }
  return [...unique.values()].sort(
    (a, b) =>
      compareStrings(a.ingress, b.ingress) ||
      compareStrings(a.field, b.field) ||
      compareStrings(a.message, b.message) ||
      compareStrings(a.value, b.value) ||
      compareStrings(a.scope, b.scope),
  );
}
