import { describe, expect, it } from "vitest";
import { isLoadBalancerArn, loadBalancerIdOf } from "./certificate-planner.ts";

describe("loadBalancerIdOf", () => {
  it.each([
    [
      "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188",
      "app/web/50dc6c495c0c9188",
    ],
    [
      "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2",
      "app/web/50dc6c495c0c9188",
    ],
    [
      "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee",
      "app/web/50dc6c495c0c9188",
    ],
    [
      "arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE",
      "arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE",
    ],
  ])("%s belongs to %s", (arn, id) => {
    expect(loadBalancerIdOf(arn)).toBe(id);
  });
});

describe("isLoadBalancerArn", () => {
  it.each([
    ["arn:aws:elasticloadbalancing:us-east-1:1:listener/app/web/50dc/f2f7", true],
    ["arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/50dc", false],
    ["arn:aws:cloudfront::1:distribution/E1", false],
  ])("%s: %s", (arn, expected) => {
    expect(isLoadBalancerArn(arn)).toBe(expected);
  });
});
