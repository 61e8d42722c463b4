import { describe, expect, it } from "vitest";
import { loadCostSettings } from "../config/cost-settings.ts";
import { costAssumptions, describeAssumptions, formatTable, loadBalancerMonthlyCost } from "./cost.ts";

describe("loadBalancerMonthlyCost", () => {
  const a = costAssumptions("us-east-1");

  it.each([
    // 730 h × ($0.0225 + $0.008 × 1 LCU) = $22.265; + 3 public IPv4 × $0.005 × 730 = $10.95.
    [{ scheme: "internet-facing", zones: 3 }, 33.22],
    [{ scheme: "internet-facing", zones: 2 }, 29.57],
    [{ scheme: "internal", zones: 3 }, 22.27],
  ])("%j: $%d a month", (lb, usd) => {
    expect(loadBalancerMonthlyCost(lb, a)).toBe(usd);
  });

  it("follows the LCU assumption and price overrides", () => {
    expect(
      loadBalancerMonthlyCost({ scheme: "internal", zones: 2 }, costAssumptions("us-east-1", { lcus: 0 })),
    ).toBe(16.43);
    expect(
      loadBalancerMonthlyCost(
        { scheme: "internal", zones: 2 },
        costAssumptions("ap-south-1", { albHour: 0.03, lcuHour: 0.01, lcus: 2 }),
      ),
    ).toBe(36.5);
  });
});

describe("costAssumptions", () => {
  it("says when a region's price is not known and us-east-1's is used", () => {
    expect(costAssumptions("eu-west-1").fallback).toBeUndefined();
    expect(costAssumptions("ap-south-1").fallback).toContain("no list price is known here for ap-south-1");
    expect(describeAssumptions(costAssumptions("ap-south-1"))).toContain("--alb-hour-price");
  });

  it("states every figure it uses", () => {
    const text = describeAssumptions(costAssumptions("us-east-1"));
    for (const figure of [
      "$0.0225/hour",
      "$0.008/LCU-hour × 1 LCU",
      "$0.005/hour per public IPv4",
      "730 hours",
    ])
      expect(text).toContain(figure);
    expect(text).toContain("public ACM certificates free");
    expect(text).toContain("hosted zones $0.50/month each");
  });
});

describe("loadCostSettings", () => {
  it.each([
    [{ output: "yaml" }, '--output: must be "text" or "json"; got "yaml"'],
    [{ lcus: "-1" }, '--lcus: must be 0 or more; got "-1"'],
    [{ lcus: "many" }, '--lcus: must be a number; got "many"'],
    [{ albHourPrice: "0" }, '--alb-hour-price: must be above 0; got "0"'],
  ])("%j is refused with the flag, the value and the fix", (flags, message) => {
    expect(() => loadCostSettings(flags, "us-east-1")).toThrow(message);
  });

  it("reads json output and overrides", () => {
    const s = loadCostSettings({ output: "json", lcus: "2.5", albHourPrice: "0.03" }, "us-east-1");
    expect(s.json).toBe(true);
    expect(s.assumptions).toMatchObject({ lcus: 2.5, albHour: 0.03, lcuHour: 0.008 });
  });
});

describe("formatTable", () => {
  it("pads columns and right-aligns numbers", () => {
    expect(
      formatTable(
        ["GROUP", "USD"],
        [
          ["shop", "33.22"],
          ["apps/web", "0.00"],
        ],
      ),
    ).toBe(["GROUP       USD", "shop      33.22", "apps/web   0.00"].join("\n"));
  });
});
