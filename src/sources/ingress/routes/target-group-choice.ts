// Ingress front end: the target group settings of each backend key (`<namespace>/<service>:<port as
// written>`) the members route to. When several members route to the same key with different Ingress-level
// settings, the oldest member (see `compareSeniority`) wins and the others get a Problem (scope "rule").

import type { Problem } from "../../../model/desired.ts";
import type { Ingress } from "../../../model/kube-objects.ts";
import { mergeUserTags } from "../../../model/ownership.ts";
import {
  ANNOTATION_PREFIX,
  annotationField,
  createProblem,
  objectKey,
  serviceAnnotationField,
} from "../../../model/problems.ts";
import { ALB_ANNOTATIONS, ANNOTATION } from "../annotations/annotation-registry.ts";
import { readAnnotation } from "../annotations/annotations.ts";
import { compareSeniority } from "../groups/ingress-groups.ts";
import type { ResolvedBackend } from "./backends.ts";
import {
  differingSettings,
  readTargetGroupSettings,
  type TargetGroupSettings,
} from "./target-group-settings.ts";

/** A reference from a member to a resolved backend, in group order. */
export interface BackendRef {
  readonly ingress: Ingress;
  readonly backend: ResolvedBackend;
}

/** The settings chosen for one target group key; no settings when a traffic setting is invalid. */
export interface TargetGroupChoice {
  readonly ingress: Ingress;
  readonly backend: ResolvedBackend;
  readonly settings?: TargetGroupSettings;
}

/** Chooses each key's settings from its first reference; reports invalid and ignored settings. */
export function chooseTargetGroups(refs: readonly BackendRef[]): {
  choices: Map<string, TargetGroupChoice>;
  problems: Problem[];
} {
  const choices = new Map<string, TargetGroupChoice>();
  const problems: Problem[] = [];
  const seen = new Set<string>();
  // The oldest member's settings win a shared target group (a stable sort keeps each member's order).
  const bySeniority = [...refs].sort((a, b) => compareSeniority(a.ingress, b.ingress));
  for (const { ingress, backend } of bySeniority) {
    const pair = `${objectKey(ingress)} ${backend.key}`;
    if (seen.has(pair)) continue;
    seen.add(pair);
    const read = readTargetGroupSettings(ingress, backend.service);
    problems.push(...read.problems);
    const winner = choices.get(backend.key);
    if (!winner) {
      choices.set(
        backend.key,
        read.settings ? { ingress, backend, settings: read.settings } : { ingress, backend },
      );
      continue;
    }
    if (!winner.settings || !read.settings) continue;
    for (const name of differingSettings(winner.settings, read.settings)) {
      const service = backend.service.metadata.name;
      problems.push(
        createProblem({
          ingress: objectKey(ingress),
          field: annotationField(name),
          value: ingress.metadata.annotations?.[`${ANNOTATION_PREFIX}${name}`] ?? "",
          message: `target group ${backend.key} takes its settings from ${objectKey(winner.ingress)}, the oldest member that routes to it, so this value is ignored: annotate Service ${service} to set it for every route`,
          scope: "rule",
        }),
      );
    }
  }
  return { choices, problems };
}

/** The Service's `tags` annotation; bad or reserved entries are reported and ignored. */
export function readServiceTags(
  ingress: Ingress,
  backend: ResolvedBackend,
  problems: Problem[],
): Record<string, string> {
  const service = backend.service;
  const read = readAnnotation(service.metadata.annotations, ALB_ANNOTATIONS.tags);
  if (!read.present) return {};
  const field = serviceAnnotationField(service.metadata.name, ANNOTATION.tags);
  const report = (message: string) =>
    problems.push(
      createProblem({ ingress: objectKey(ingress), field, value: read.raw, message, scope: "rule" }),
    );
  if (!read.ok) {
    report(`${read.message}; the Service's tags are ignored`);
    return {};
  }
  const merged = mergeUserTags({}, read.value);
  for (const key of merged.refused) {
    report(
      `tag key ${JSON.stringify(key)} is reserved for Gannet's ownership tags; remove it (the tag is ignored)`,
    );
  }
  return merged.tags;
}
