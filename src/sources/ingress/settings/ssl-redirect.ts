// Ingress front end: `alb.ingress.kubernetes.io/ssl-redirect: "<https port>"`, the port HTTP listeners
// redirect to once the group serves HTTPS there (see https-redirect.ts).

import type { Problem } from "../../../model/desired.ts";
import type { Ingress } from "../../../model/kube-objects.ts";
import { annotationField, createProblem, objectKey } from "../../../model/problems.ts";
import { ALB_ANNOTATIONS } from "../annotations/annotation-registry.ts";
import { readAnnotation } from "../annotations/annotations.ts";

/** The redirect port the members ask for (the first valid one in group order), and problems. */
export function readSslRedirect(members: readonly Ingress[]): { port?: number; problems: Problem[] } {
  const problems: Problem[] = [];
  let port: number | undefined;
  for (const ingress of members) {
    const read = readAnnotation(ingress.metadata.annotations, ALB_ANNOTATIONS.sslRedirect);
    if (!read.present) continue;
    if (!read.ok) {
      problems.push(
        createProblem({
          ingress: objectKey(ingress),
          field: annotationField(ALB_ANNOTATIONS.sslRedirect.name),
          value: read.raw,
          message: `${read.message}; HTTP is not redirected until fixed`,
          scope: "rule",
        }),
      );
      continue;
    }
    port ??= read.value;
  }
  return port === undefined ? { problems } : { port, problems };
}
