import { describe, expect, it } from "vitest";
import { pickTarget, pickWeighted, readCookie, stickyToken } from "./balance.ts";

describe("weighted target groups", () => {
  const groups = [
    { arn: "a", weight: 80 },
    { arn: "b", weight: 20 },
    { arn: "c", weight: 0 },
  ];
  it.each([
    [0, "a"],
    [0.79, "a"],
    [0.8, "b"],
    [0.999, "b"],
  ])("random %d picks %s (weights 80/20/0)", (random, arn) => {
    expect(pickWeighted(groups, random)?.arn).toBe(arn);
  });

  it("spreads in proportion to the weights", () => {
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 1000; i++) counts[pickWeighted(groups, i / 1000)?.arn as "a"]++;
    expect(counts).toEqual({ a: 800, b: 200, c: 0 });
  });

  it("picks nothing when every weight is 0", () => {
    expect(pickWeighted([{ weight: 0 }], 0.5)).toBeUndefined();
  });
});

describe("targets", () => {
  const targets = [
    { key: "a", inflight: 2 },
    { key: "b", inflight: 0 },
    { key: "c", inflight: 0 },
  ];
  it("round robin by default", () => {
    expect(
      [0, 1, 2, 3].map((counter) => pickTarget(targets, { algorithm: "round_robin", counter })?.key),
    ).toEqual(["a", "b", "c", "a"]);
  });
  it("least outstanding requests", () => {
    expect(
      [0, 1].map((counter) => pickTarget(targets, { algorithm: "least_outstanding_requests", counter })?.key),
    ).toEqual(["b", "c"]);
  });
  it("none without candidates", () => {
    expect(pickTarget([], { algorithm: "round_robin", counter: 0 })).toBeUndefined();
  });
});

describe("cookies", () => {
  it.each([
    ["AWSALB=x; AWSALBTG=y", "AWSALBTG", "y"],
    ["AWSALBTG=y;AWSALB=x", "AWSALB", "x"],
    ["other=1", "AWSALB", undefined],
    [undefined, "AWSALB", undefined],
  ])("%s: %s is %s", (header, name, value) => {
    expect(readCookie(header, name)).toBe(value);
  });
  it("tokens are stable and opaque", () => {
    expect(stickyToken("arn:x")).toBe(stickyToken("arn:x"));
    expect(stickyToken("arn:x")).not.toContain("arn");
    expect(stickyToken("arn:x")).not.toBe(stickyToken("arn:y"));
  });
});
