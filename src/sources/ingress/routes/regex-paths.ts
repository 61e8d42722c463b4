// Ingress front end: `alb.ingress.kubernetes.io/use-regex-path-match: "true"`, as in AWS LBC: the Ingress's
// ImplementationSpecific paths are regular expressions (PathPatternConfig.RegexValues) after their
// leading "/" (which Kubernetes requires) is removed: `/^/api/(.+)$` matches by `^/api/(.+)$`.
// Exact and Prefix paths are not affected.

import type { Problem } from "../../../model/desired.ts";
import type { Ingress } from "../../../model/kube-objects.ts";
import { checkAlbRegex, MAX_CONDITION_REGEX_LENGTH } from "../../../model/listeners/alb-regex.ts";
import { annotationField, createProblem, objectKey } from "../../../model/problems.ts";
import { ALB_ANNOTATIONS } from "../annotations/annotation-registry.ts";
import { readAnnotation } from "../annotations/annotations.ts";

/** Whether the Ingress asks for regex paths; a value that is not a boolean is a Problem and means false. */
export function readUseRegexPathMatch(ingress: Ingress): { enabled: boolean; problems: Problem[] } {
  const spec = ALB_ANNOTATIONS.useRegexPathMatch;
  const read = readAnnotation(ingress.metadata.annotations, spec);
  if (!read.present) return { enabled: false, problems: [] };
  if (read.ok) return { enabled: read.value, problems: [] };
  const problem = createProblem({
    ingress: objectKey(ingress),
    field: annotationField(spec.name),
    value: read.raw,
    message: `${read.message}; until fixed, ImplementationSpecific paths are ALB wildcard patterns, not regexes`,
    scope: "rule",
  });
  return { enabled: false, problems: [problem] };
}

/** The regex of an ImplementationSpecific path under use-regex-path-match, or what is wrong with it. */
export function translateRegexPath(
  path: string | undefined,
): { ok: true; value: string } | { ok: false; message: string } {
  const p = path ?? "";
  if (!p.startsWith("/") || p.length < 2) {
    return {
      ok: false,
      message: 'with use-regex-path-match, a path is "/" followed by a regular expression, like /^/api/(.+)$',
    };
  }
  const regex = p.slice(1);
  const why = checkAlbRegex(regex, MAX_CONDITION_REGEX_LENGTH);
  return why
    ? { ok: false, message: `the regular expression after the leading "/" ${why}` }
    : { ok: true, value: regex };
}
