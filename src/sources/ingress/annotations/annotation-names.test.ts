import { describe, expect, it } from "vitest";
import type { Ingress } from "../../../model/kube-objects.ts";
import { checkAnnotationNames } from "./annotation-names.ts";

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
