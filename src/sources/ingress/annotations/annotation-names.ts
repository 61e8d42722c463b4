// Model stage: every `alb.ingress.kubernetes.io/*` annotation Gannet does not act on gets a Warning,
// never silence: a typo, or an AWS Load Balancer Controller feature Gannet does not have yet.

import type { Problem } from "../../../model/desired.ts";
import type { Ingress } from "../../../model/kube-objects.ts";
import {
  ANNOTATION_PREFIX,
  annotationField,
  compareStrings,
  createProblem,
  objectKey,
} from "../../../model/problems.ts";
import { USE_REGEX_PATH_MATCH } from "../routes/regex-paths.ts";
import { ANNOTATION, LISTENER_ATTRIBUTES_PREFIX } from "./annotations.ts";
import { RULE_ANNOTATION_PREFIXES } from "./rule-annotations.ts";

/** Annotation names Gannet reads (besides the group and ssl-redirect ones read elsewhere). */
const KNOWN = new Set<string>([...Object.values(ANNOTATION), "ssl-redirect", USE_REGEX_PATH_MATCH]);

/** Annotation name prefixes Gannet reads: `actions.<name>`, `conditions.<name>`, `transforms.<name>`. */
const KNOWN_PREFIXES: readonly string[] = RULE_ANNOTATION_PREFIXES;

/** AWS Load Balancer Controller annotations Gannet does not act on yet (exact names or prefixes). */
const LATER = [
  "wafv2-acl-name",
  "security-group-prefix-lists",
  "jwt-validation",
  "multi-cluster-target-group",
  "enable-frontend-nlb",
  "auth-",
  "customer-owned-ipv4-pool",
  "target-node-labels",
  "mutual-authentication",
  "frontend-nlb-",
  "ipam-ipv4-pool-id",
  "minimum-load-balancer-capacity",
  "target-control-port",
];

/** AWS Load Balancer Controller annotations Gannet will not act on, with the reason and what to do. */
const NOT_SUPPORTED: Readonly<Record<string, string>> = {
  "waf-acl-id":
    "is AWS WAF Classic, which AWS retired (support ended on September 30, 2025): Gannet does not associate Classic web ACLs; migrate the web ACL to AWS WAF (WAFv2) and set alb.ingress.kubernetes.io/wafv2-acl-arn. The load balancer's current association is left as it is",
  "web-acl-id":
    "is the older name of waf-acl-id, for AWS WAF Classic, which AWS retired: migrate to AWS WAF (WAFv2) and set alb.ingress.kubernetes.io/wafv2-acl-arn",
  "shield-advanced-protection":
    "is not supported: Shield Advanced is an account-wide subscription whose protections are best managed in one place (AWS Firewall Manager or the Shield console) rather than per Ingress; the load balancer's current protection is left as it is, so protect it there",
};

/** Warnings for the annotations under Gannet's prefix that have no effect. */
export function checkAnnotationNames(ingress: Ingress): Problem[] {
  const problems: Problem[] = [];
  const names = Object.keys(ingress.metadata.annotations ?? {})
    .filter((k) => k.startsWith(ANNOTATION_PREFIX))
    .map((k) => k.slice(ANNOTATION_PREFIX.length))
    .sort(compareStrings);
  for (const name of names) {
    if (KNOWN.has(name)) continue;
    if (name.startsWith(LISTENER_ATTRIBUTES_PREFIX)) continue;
    if (KNOWN_PREFIXES.some((p) => name.startsWith(p) && name.length > p.length)) continue;
    const reason = NOT_SUPPORTED[name];
    const later = LATER.some((l) => (l.endsWith(".") || l.endsWith("-") ? name.startsWith(l) : name === l));
    problems.push(
      createProblem({
        ingress: objectKey(ingress),
        field: annotationField(name),
        value: ingress.metadata.annotations?.[`${ANNOTATION_PREFIX}${name}`] ?? "",
        message: reason
          ? `this AWS Load Balancer Controller annotation ${reason}`
          : later
            ? "the AWS Load Balancer Controller supports this annotation, Gannet does not yet: it has no effect (see the README's annotation list)"
            : `unknown annotation, so it has no effect: check the name (Gannet reads ${[...KNOWN, ...KNOWN_PREFIXES.map((p) => `${p}<name>`), `${LISTENER_ATTRIBUTES_PREFIX}<Protocol>-<Port>`].sort(compareStrings).join(", ")})`,
        scope: "rule",
      }),
    );
  }
  return problems;
}
