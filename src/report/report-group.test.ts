import { describe, expect, it } from "vitest";
import { createProblem } from "../model/problems.ts";
import { formatProblem, MAX_EVENT_MESSAGE } from "./report-group.ts";

const field = "metadata.annotations['alb.ingress.kubernetes.io/inbound-cidrs']";

describe("formatProblem", () => {
  it("names the field, the fix and the value", () => {
    expect(
      formatProblem({
        ingress: "apps/web",
        field,
        value: "10.0.0.0/33",
        message: "must be a CIDR like 10.0.0.0/8",
        scope: "member",
      }),
    ).toBe(`${field}: must be a CIDR like 10.0.0.0/8 (value: "10.0.0.0/33")`);
  });

  it.each([
    [
      "a 5,000-character value the message quotes",
      "x".repeat(5000),
      (v: string) => `${JSON.stringify(v)} is not a CIDR`,
    ],
    ["a long message", "10.0.0.0/33", () => `${"because ".repeat(300)}fix: use a CIDR like 10.0.0.0/8`],
    [
      "200 escaped control characters",
      "\u0000".repeat(300),
      () => "must be a CIDR; fix: use one like 10.0.0.0/8",
    ],
  ])("fits an Event with %s, keeping the field, the end of the fix and the value", (_, raw, message) => {
    const p = createProblem({
      ingress: "apps/web",
      field,
      value: raw,
      message: message(raw),
      scope: "member",
    });

    const text = formatProblem(p);

    expect(text.length).toBeLessThanOrEqual(MAX_EVENT_MESSAGE);
    expect(text.startsWith(`${field}: `)).toBe(true);
    expect(text).toContain("(value: ");
    expect(text).toMatch(/(CIDR|10\.0\.0\.0\/8)/);
  });

  it("replaces a lone surrogate (half an emoji) as the API server would", () => {
    const text = formatProblem({
      ingress: "apps/web",
      field,
      value: "🦆".slice(0, 1),
      message: "Unexpected token '\uD83E'",
      scope: "member",
    });

    // JSON.stringify escapes a lone surrogate in the value (`\ud83e`), which stays readable.
    expect(text).toBe(`${field}: Unexpected token '\uFFFD' (value: "\\ud83e")`);
  });
});
