import { describe, expect, it } from "vitest";
import type { Ingress } from "../../../model/kube-objects.ts";
import { checkAnnotationNames } from "./annotation-warnings.ts";

const withAnnotations = (annotations: Record<string, string>): Ingress => ({
  metadata: { namespace: "apps", name: "web", annotations },
  spec: {},
});

describe("checkAnnotationNames", () => {
  it.each([
    { name: "scheme", says: undefined },
    { name: "group.name", says: undefined },
    { name: "ssl-redirect", says: undefined },
    { name: "actions.blue-green", says: undefined },
    { name: "conditions.web", says: undefined },
    { name: "transforms.web", says: undefined },
    { name: "use-regex-path-match", says: undefined },
    { name: "actions.", says: "unknown annotation" },
    { name: "wafv2-acl-arn", says: undefined },
    { name: "security-groups", says: undefined },
    { name: "listener-attributes.HTTPS-443", says: undefined },
    { name: "wafv2-acl-name", says: "Gannet does not yet" },
    { name: "jwt-validation", says: "Gannet does not yet" },
    { name: "waf-acl-id", says: "AWS WAF Classic, which AWS retired" },
    { name: "web-acl-id", says: "AWS WAF Classic, which AWS retired" },
    { name: "shield-advanced-protection", says: "Shield Advanced is an account-wide subscription" },
    { name: "shceme", says: "unknown annotation" },
    { name: "shceme", says: "did you mean alb.ingress.kubernetes.io/scheme?" },
    { name: "healthcheck-paht", says: "did you mean alb.ingress.kubernetes.io/healthcheck-path?" },
    { name: "no-such-annotation", says: "check the name (Gannet reads actions.<name>, backend-protocol," },
    { name: "target-control-port.web.80", says: "Gannet does not yet" },
    { name: "frontend-nlb-scheme", says: "Gannet does not yet" },
    { name: "auth-type", says: "the ALB does not authenticate requests to this Ingress's paths" },
    { name: "create-acm-cert", says: "Gannet does not yet" },
    { name: "target-node-labels", says: "Gannet registers pod IPs (target-type ip)" },
    { name: "dry-run-plan", says: "the `gannet plan` command" },
  ])("$name", ({ name, says }) => {
    const problems = checkAnnotationNames(
      withAnnotations({ [`alb.ingress.kubernetes.io/${name}`]: "x", other: "y" }),
    );

    if (says === undefined) expect(problems).toEqual([]);
    else
      expect(problems).toEqual([
        expect.objectContaining({
          field: `metadata.annotations['alb.ingress.kubernetes.io/${name}']`,
          value: "x",
          message: expect.stringContaining(says),
          scope: "rule",
        }),
      ]);
  });
});

describe("checkAnnotationNames: ExternalDNS", () => {
  it.each([
    { key: "external-dns.kubernetes.io/hostname", says: undefined },
    { key: "external-dns.alpha.kubernetes.io/ttl", says: undefined },
    { key: "external-dns.alpha.kubernetes.io/target", says: "this ExternalDNS annotation is not supported" },
    { key: "external-dns.kubernetes.io/alias", says: "always writes A (and AAAA) alias records" },
    {
      key: "external-dns.alpha.kubernetes.io/aws-weight",
      says: "ExternalDNS supports this annotation, Gannet does not yet",
    },
    { key: "external-dns.alpha.kubernetes.io/cloudflare-proxied", says: "another DNS provider" },
    {
      key: "external-dns.alpha.kubernetes.io/internal-hostname",
      says: "ExternalDNS reads it on Services and Nodes",
    },
    {
      key: "external-dns.alpha.kubernetes.io/hostnames",
      says: "did you mean external-dns.alpha.kubernetes.io/hostname? (Gannet reads hostname, ttl)",
    },
    { key: "kubernetes.io/ingress.class", says: undefined },
    { key: "example.com/anything", says: undefined },
  ])("$key", ({ key, says }) => {
    const problems = checkAnnotationNames(withAnnotations({ [key]: "x" }));

    if (says === undefined) expect(problems).toEqual([]);
    else
      expect(problems).toEqual([
        {
          ingress: "apps/web",
          field: `metadata.annotations['${key}']`,
          value: "x",
          message: expect.stringContaining(says),
          scope: "rule",
        },
      ]);
  });
});
