import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DOCS_BEGIN, DOCS_END, renderAnnotationDocs, replaceGenerated } from "./annotation-docs.ts";
import {
  ALB_ANNOTATIONS,
  type AnnotationSpec,
  EXTERNAL_DNS_ANNOTATIONS,
  isActedOn,
  KUBERNETES_ANNOTATIONS,
} from "./annotation-registry.ts";

const DOC = new URL("../../../../docs/annotations.md", import.meta.url);

describe("docs/annotations.md", () => {
  it("holds the tables the registry renders", () => {
    const doc = readFileSync(DOC, "utf8");
    const expected = replaceGenerated(doc, renderAnnotationDocs());

    expect(expected, `docs/annotations.md needs the ${DOCS_BEGIN} and ${DOCS_END} markers`).toBeDefined();
    expect(
      doc,
      "docs/annotations.md's annotation tables differ from src/sources/ingress/annotations/annotation-registry.ts: run `npm run docs:annotations` and commit the result",
    ).toBe(expected);
  });

  it("keeps every annotation the README's table listed, with its status", () => {
    const doc = readFileSync(DOC, "utf8");
    const rows = [
      ["group.name", "supported"],
      ["group.order", "differs"],
      ["manage-backend-security-group-rules", "differs"],
      ["security-group-prefix-lists", "not yet"],
      ["ssl-policy", "differs"],
      ["listener-attributes.<Protocol>-<Port>", "supported"],
      ["wafv2-acl-name", "not yet"],
      ["web-acl-id", "not supported"],
      ["shield-advanced-protection", "not supported"],
      ["target-type", "differs"],
      ["target-node-labels", "not supported"],
      ["success-codes", "supported"],
      ["auth-session-timeout", "not yet"],
      ["target-control-port.<service>.<port>", "not yet"],
      ["frontend-nlb-<setting>", "not yet"],
    ] as const;

    for (const [name, status] of rows) {
      const row = doc.split("\n").find((l) => l.includes(`\`${name}\``));
      expect(row, name).toMatch(new RegExp(`\\|\\s+${status}\\s+\\|`));
    }
  });
});

describe("the annotation registry", () => {
  const families: [string, Readonly<Record<string, AnnotationSpec>>][] = [
    ["alb", ALB_ANNOTATIONS],
    ["external-dns", EXTERNAL_DNS_ANNOTATIONS],
    ["kubernetes", KUBERNETES_ANNOTATIONS],
  ];

  it.each(families)("%s: names are unique", (_, registry) => {
    const names = Object.values(registry).map((s) => s.name);

    expect(new Set(names).size).toBe(names.length);
  });

  it.each(families)("%s: what Gannet acts on says where; what it does not says why", (_, registry) => {
    for (const spec of Object.values(registry)) {
      if (isActedOn(spec)) {
        expect(spec.on?.length, spec.name).toBeGreaterThan(0);
        expect(spec.scope, spec.name).toBeDefined();
      } else {
        expect(spec.on, spec.name).toBeUndefined();
        if (spec.status === "not supported") expect(spec.warning, spec.name).toMatch(/\S/);
      }
    }
  });
});
