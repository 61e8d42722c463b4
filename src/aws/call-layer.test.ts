import { describe, expect, it } from "vitest";
import {
  backoffDelayMs,
  CallStats,
  DEFAULT_RETRY,
  isReadOperation,
  isRetryableAwsError,
} from "./call-layer.ts";

describe("isRetryableAwsError", () => {
  it.each([
    { err: { name: "ThrottlingException" }, want: true },
    { err: { name: "Throttling" }, want: true },
    { err: { name: "RequestLimitExceeded" }, want: true },
    { err: { name: "PriorRequestNotComplete" }, want: true },
    { err: { name: "InternalFailure", $metadata: { httpStatusCode: 500 } }, want: true },
    { err: { name: "ServiceUnavailable", $metadata: { httpStatusCode: 503 } }, want: true },
    { err: { name: "Error", code: "ECONNRESET" }, want: true },
    { err: { name: "ValidationError", $metadata: { httpStatusCode: 400 } }, want: false },
    { err: { name: "LoadBalancerNotFound", $metadata: { httpStatusCode: 400 } }, want: false },
    { err: "boom", want: false },
  ])("$err -> $want", ({ err, want }) => {
    expect(isRetryableAwsError(err)).toBe(want);
  });
});

describe("backoffDelayMs", () => {
  it("grows exponentially up to the cap, with full jitter", () => {
    const max = () => 0.999999;

    expect(backoffDelayMs(DEFAULT_RETRY, 1, max)).toBe(199);
    expect(backoffDelayMs(DEFAULT_RETRY, 4, max)).toBe(1599);
    expect(backoffDelayMs(DEFAULT_RETRY, 20, max)).toBe(19_999);
    expect(backoffDelayMs(DEFAULT_RETRY, 4, () => 0)).toBe(0);
  });
});

describe("CallStats", () => {
  it("counts calls, attempts and retries per operation, and splits reads from mutations", () => {
    const stats = new CallStats();
    const before = stats.snapshot();

    stats.record("ELBv2", "DescribeRules", 1, false, 5);
    stats.record("ELBv2", "CreateRule", 3, false, 50);
    stats.record("ELBv2", "CreateRule", 8, true, 90);

    expect(stats.since(before)).toEqual({ "ELBv2:CreateRule": 2, "ELBv2:DescribeRules": 1 });
    expect(stats.totals()).toEqual({ calls: 3, mutating: 2, reads: 1 });
    expect(stats.byOperation.get("ELBv2:CreateRule")).toMatchObject({ attempts: 11, retries: 9, errors: 1 });
  });

  it.each(["DescribeTags", "ListCertificates", "GetChange"])("%s is a read", (op) => {
    expect(isReadOperation(op)).toBe(true);
  });
});
