// Model stage: `alb.ingress.kubernetes.io/ssl-redirect: "<https port>"` — once the group serves HTTPS
// on that port, every HTTP listener answers with a permanent redirect to it, rules and default alike.

import { ALB_ANNOTATIONS } from "./annotation-registry.ts";
import { readAnnotation } from "./annotations.ts";
import type { DesiredListener, Problem } from "./desired.ts";
import type { Ingress } from "./kube-objects.ts";
import { annotationField, createProblem, objectKey } from "./problems.ts";

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

/** HTTP listeners redirect to HTTPS on `port` when the group has an HTTPS listener there. */
export function applySslRedirect(
  listeners: readonly DesiredListener[],
  port: number | undefined,
): DesiredListener[] {
  if (port === undefined || !listeners.some((l) => l.protocol === "HTTPS" && l.port === port))
    return [...listeners];
  return listeners.map((l) =>
    l.protocol === "HTTP"
      ? {
          ...l,
          defaultActions: [
            { type: "redirect", statusCode: "HTTP_301", protocol: "HTTPS", port: String(port) },
          ],
          rules: [],
        }
      : l,
  );
}
