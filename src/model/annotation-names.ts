// Model stage: every `alb.ingress.kubernetes.io/*` annotation Gannet does not act on gets a Warning,
// never silence: a typo, or an AWS Load Balancer Controller feature Gannet does not have yet.

import { ANNOTATION } from "./annotations.ts";
import type { Problem } from "./desired.ts";
import type { Ingress } from "./kube-objects.ts";
import { ANNOTATION_PREFIX, annotationField, compareStrings, createProblem, objectKey } from "./problems.ts";

/** Annotation names Gannet reads (besides the group and ssl-redirect ones read elsewhere). */
const KNOWN = new Set<string>([...Object.values(ANNOTATION), "ssl-redirect"]);

/** AWS Load Balancer Controller annotations Gannet does not act on yet (exact names or prefixes). */
const LATER = [
  "actions.",
  "conditions.",
  "transforms.",
  "listener-attributes.",
  "security-groups",
  "manage-backend-security-group-rules",
  "load-balancer-attributes",
  "target-group-attributes",
  "wafv2-acl-arn",
  "waf-acl-id",
  "shield-advanced-protection",
  "auth-",
  "customer-owned-ipv4-pool",
  "target-node-labels",
  "mutual-authentication",
  "use-regex-path-match",
  "frontend-nlb-",
  "ipam-ipv4-pool-id",
  "minimum-load-balancer-capacity",
  "target-control-port",
];

/** Warnings for the annotations under Gannet's prefix that have no effect. */
export function checkAnnotationNames(ingress: Ingress): Problem[] {
  const problems: Problem[] = [];
  const names = Object.keys(ingress.metadata.annotations ?? {})
    .filter((k) => k.startsWith(ANNOTATION_PREFIX))
    .map((k) => k.slice(ANNOTATION_PREFIX.length))
    .sort(compareStrings);
  for (const name of names) {
    if (KNOWN.has(name)) continue;
    const later = LATER.some((l) => (l.endsWith(".") || l.endsWith("-") ? name.startsWith(l) : name === l));
    problems.push(
      createProblem({
        ingress: objectKey(ingress),
        field: annotationField(name),
        value: ingress.metadata.annotations?.[`${ANNOTATION_PREFIX}${name}`] ?? "",
        message: later
          ? "the AWS Load Balancer Controller supports this annotation, Gannet does not yet: it has no effect (see the README's annotation list)"
          : `unknown annotation, so it has no effect: check the name (Gannet reads ${[...KNOWN].sort(compareStrings).join(", ")})`,
        scope: "rule",
      }),
    );
  }
  return problems;
}
