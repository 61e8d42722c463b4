// Model stage: every `alb.ingress.kubernetes.io/*` annotation Gannet does not act on gets a Warning,
// never silence: a typo, or an AWS Load Balancer Controller feature Gannet does not have yet.

import { ANNOTATION } from "./annotations.ts";
import type { Problem } from "./desired.ts";
import type { Ingress } from "./kube-objects.ts";
import { ANNOTATION_PREFIX, annotationField, compareStrings, createProblem, objectKey } from "./problems.ts";
import { USE_REGEX_PATH_MATCH } from "./regex-paths.ts";
import { RULE_ANNOTATION_PREFIXES } from "./rule-annotations.ts";

/** Annotation names Gannet reads (besides the group and ssl-redirect ones read elsewhere). */
const KNOWN = new Set<string>([...Object.values(ANNOTATION), "ssl-redirect", USE_REGEX_PATH_MATCH]);

/** Annotation name prefixes Gannet reads: `actions.<name>`, `conditions.<name>`, `transforms.<name>`. */
const KNOWN_PREFIXES: readonly string[] = RULE_ANNOTATION_PREFIXES;

/** AWS Load Balancer Controller annotations Gannet does not act on yet (exact names or prefixes). */
const LATER = [
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
    if (KNOWN_PREFIXES.some((p) => name.startsWith(p) && name.length > p.length)) continue;
    const later = LATER.some((l) => (l.endsWith(".") || l.endsWith("-") ? name.startsWith(l) : name === l));
    problems.push(
      createProblem({
        ingress: objectKey(ingress),
        field: annotationField(name),
        value: ingress.metadata.annotations?.[`${ANNOTATION_PREFIX}${name}`] ?? "",
        message: later
          ? "the AWS Load Balancer Controller supports this annotation, Gannet does not yet: it has no effect (see the README's annotation list)"
          : `unknown annotation, so it has no effect: check the name (Gannet reads ${[...KNOWN, ...KNOWN_PREFIXES.map((p) => `${p}<name>`)].sort(compareStrings).join(", ")})`,
        scope: "rule",
      }),
    );
  }
  return problems;
}
