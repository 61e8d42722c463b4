import { describe, expect, it } from "vitest";
import type { DesiredListener, DesiredRule } from "../desired.ts";
import { fitRuleQuota } from "./rule-quota.ts";

/** The members, oldest first. */
const seniority = ["apps/older", "apps/newer"];

function rule(order: number, who: string): DesiredRule {
  return {
    order,
    conditions: [{ field: "path-pattern", values: [`/${who}/${order}`] }],
    actions: [{ type: "fixed-response", statusCode: "200" }],
    source: { ingress: `apps/${who}`, field: `spec.rules[0].http.paths[${order}]` },
  };
}

const listener = (rules: DesiredRule[]): DesiredListener => ({
  port: 80,
  protocol: "HTTP",
  defaultActions: [],
  rules,
});

describe("fitRuleQuota", () => {
  it("keeps every rule within the quota", () => {
    const l = listener([rule(0, "older"), rule(1, "newer")]);
    expect(fitRuleQuota([l], seniority, 2)).toEqual({ listeners: [l], problems: [] });
  });

  it("leaves out the newest member's least specific rules first, and renumbers the rest", () => {
    const l = listener([rule(0, "newer"), rule(1, "older"), rule(2, "newer"), rule(3, "older")]);
    const fitted = fitRuleQuota([l], seniority, 3);
    expect(fitted.listeners[0]?.rules.map((r) => [r.order, r.source.ingress])).toEqual([
      [0, "apps/newer"],
      [1, "apps/older"],
      [2, "apps/older"],
    ]);
    expect(fitted.problems).toEqual([
      expect.objectContaining({
        ingress: "apps/newer",
        field: "spec.rules[0].http.paths[2]",
        message: expect.stringContaining("more than AWS's quota of 3 rules per Application Load Balancer"),
      }),
    ]);
  });
});
