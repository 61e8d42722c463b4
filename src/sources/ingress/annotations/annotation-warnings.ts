// Model stage: the Warnings for annotations that have no effect, derived from the registry
// (annotation-registry.ts): an AWS Load Balancer Controller or ExternalDNS annotation Gannet does not act
// on ("not yet", "not supported" with the reason), or a name no entry has (a typo: the closest name
// Gannet reads is suggested). Never silence.

import type { Problem } from "../../../model/desired.ts";
import type { Ingress } from "../../../model/kube-objects.ts";
import { ANNOTATION_PREFIX, compareStrings, createProblem, objectKey } from "../../../model/problems.ts";
import {
  ALB_ANNOTATIONS,
  type AnnotationSpec,
  EXTERNAL_DNS_ANNOTATIONS,
  EXTERNAL_DNS_PREFIXES,
  findAnnotation,
  isActedOn,
} from "./annotation-registry.ts";

/** Warnings for the AWS LBC and ExternalDNS annotations of an Ingress that have no effect. */
export function checkAnnotationNames(ingress: Ingress): Problem[] {
  const annotations = ingress.metadata.annotations ?? {};
  const problems: Problem[] = [];
  for (const key of Object.keys(annotations).sort(compareStrings)) {
    const family = familyOf(key);
    if (family === undefined) continue;
    const name = key.slice(family.prefix.length);
    const spec = findAnnotation(family.registry, name);
    if (spec && isActedOn(spec)) continue;
    problems.push(
      createProblem({
        ingress: objectKey(ingress),
        field: `metadata.annotations['${key}']`,
        value: annotations[key] ?? "",
        message: spec ? notActedOnMessage(family, spec) : unknownMessage(family, name),
        scope: "rule",
      }),
    );
  }
  return problems;
}

interface Family {
  readonly prefix: string;
  /** The controller whose annotations these are. */
  readonly owner: string;
  /** The article before `owner` at the start of a sentence ("the AWS Load Balancer Controller"). */
  readonly article: string;
  readonly registry: Readonly<Record<string, AnnotationSpec>>;
}

const AWS_LBC = "AWS Load Balancer Controller";

function familyOf(key: string): Family | undefined {
  if (key.startsWith(ANNOTATION_PREFIX))
    return { prefix: ANNOTATION_PREFIX, owner: AWS_LBC, article: "the ", registry: ALB_ANNOTATIONS };
  const prefix = EXTERNAL_DNS_PREFIXES.find((p) => key.startsWith(p));
  return prefix === undefined
    ? undefined
    : { prefix, owner: "ExternalDNS", article: "", registry: EXTERNAL_DNS_ANNOTATIONS };
}

function notActedOnMessage(family: Family, spec: AnnotationSpec): string {
  if (spec.status === "not supported") return `this ${family.owner} annotation ${spec.warning}`;
  const why = spec.warning === undefined ? "" : ` (${spec.warning})`;
  return `${family.article}${family.owner} supports this annotation, Gannet does not yet: it has no effect${why}; remove it, or keep it for when Gannet does (docs/annotations.md lists each annotation's status)`;
}

function unknownMessage(family: Family, name: string): string {
  const read = Object.values(family.registry)
    .filter(isActedOn)
    .map((s) => s.name)
    .sort(compareStrings);
  const near = closestName(name, read);
  const hint = near === undefined ? "check the name" : `did you mean ${family.prefix}${near}?`;
  return `unknown annotation, so it has no effect: ${hint} (Gannet reads ${read.join(", ")})`;
}

/** The name within two edits (a swap of neighbours counts as one) of `name`, if exactly one is closest. */
function closestName(name: string, names: readonly string[]): string | undefined {
  const scored = names
    .filter((n) => !n.includes("<") && Math.abs(n.length - name.length) <= 2)
    .map((n) => ({ n, d: editDistance(name, n) }))
    .filter((x) => x.d <= 2)
    .sort((a, b) => a.d - b.d);
  const [best, next] = scored;
  return best !== undefined && (next === undefined || next.d > best.d) ? best.n : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      const row = d[i];
      if (row) row[j] = best;
    }
  }
  return at(a.length, b.length);
}
