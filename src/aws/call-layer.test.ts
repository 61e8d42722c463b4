import { describe, expect, it } from "vitest";
import {
  backoffDelayMs,
  CallStats,
  createRetryStrategy,
  DEFAULT_RETRY,
  isReadOperation,
} from "./call-layer.ts";

describe("createRetryStrategy", () => {
  const policy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 };

  it.each(["THROTTLING", "TRANSIENT"] as const)(
    "retries %s errors until the last attempt",
    async (errorType) => {
      const strategy = createRetryStrategy(policy);
      const first = await strategy.acquireInitialRetryToken("");

      const second = await strategy.refreshRetryTokenForRetry(first, { errorType });
      const third = await strategy.refreshRetryTokenForRetry(second, { errorType });

      expect(third.getRetryCount()).toBe(2);
      await expect(strategy.refreshRetryTokenForRetry(third, { errorType })).rejects.toThrow();
    },
  );

  it.each(["CLIENT_ERROR", "SERVER_ERROR"] as const)("does not retry %s errors", async (errorType) => {
    const strategy = createRetryStrategy(policy);

    const first = await strategy.acquireInitialRetryToken("");

    await expect(strategy.refreshRetryTokenForRetry(first, { errorType })).rejects.toThrow();
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
