// Ingress front end: `alb.ingress.kubernetes.io/ssl-redirect: "<https port>"`, the port HTTP listeners
// redirect to once the group serves HTTPS there (see https-redirect.ts).

import type { Problem } from "../../../model/desired.ts";
import type { Ingress } from "../../../model/kube-objects.ts";
import { ANNOTATION_PREFIX, annotationField, createProblem, objectKey } from "../../../model/problems.ts";

const NAME = "ssl-redirect";

/** The redirect port the members ask for (the first valid one in group order), and problems. */
export function readSslRedirect(members: readonly Ingress[]): { port?: number; problems: Problem[] } {
  const problems: Problem[] = [];
  let port: number | undefined;
  for (const ingress of members) {
    const raw = ingress.metadata.annotations?.[`${ANNOTATION_PREFIX}${NAME}`];
    if (raw === undefined) continue;
    const n = Number(raw.trim());
    if (!/^\d+$/.test(raw.trim()) || n < 1 || n > 65535) {
      problems.push(
        createProblem({
          ingress: objectKey(ingress),
          field: annotationField(NAME),
          value: raw,
          message: 'must be the HTTPS port to redirect to, such as "443"; HTTP is not redirected until fixed',
          scope: "rule",
        }),
      );
      continue;
    }
    port ??= n;
  }
  return port === undefined ? { problems } : { port, problems };
}
