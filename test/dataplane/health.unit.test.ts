import { describe, expect, it } from "vitest";
import {
  type CheckResult,
  type HealthStatus,
  INITIAL_HEALTH,
  nextHealth,
  parseMatcher,
  routableTargets,
} from "./health.ts";

const ok: CheckResult = { ok: true };
const fail: CheckResult = { ok: false, reason: "Target.ResponseCodeMismatch" };

function run(results: CheckResult[], thresholds = { healthy: 3, unhealthy: 2 }): string[] {
  let h: HealthStatus = INITIAL_HEALTH;
  return results.map((r) => {
    h = nextHealth(h, r, thresholds);
    return h.state;
  });
}

describe("target health (Health checks for Application Load Balancer target groups)", () => {
  it.each<[string, CheckResult[], string[]]>([
    ["a new target passes one check to be healthy", [ok], ["healthy"]],
    [
      "a new target stays initial until UnhealthyThresholdCount failures",
      [fail, fail],
      ["initial", "unhealthy"],
    ],
    [
      "healthy until UnhealthyThresholdCount consecutive failures",
      [ok, fail, ok, fail, fail],
      ["healthy", "healthy", "healthy", "healthy", "unhealthy"],
    ],
    [
      "unhealthy until HealthyThresholdCount consecutive successes",
      [fail, fail, ok, ok, fail, ok, ok, ok],
      ["initial", "unhealthy", "unhealthy", "unhealthy", "unhealthy", "unhealthy", "unhealthy", "healthy"],
    ],
  ])("%s", (_name, results, states) => {
    expect(run(results)).toEqual(states);
  });

  it("keeps the reason of the failure", () => {
    let h = nextHealth(INITIAL_HEALTH, { ok: false, reason: "Target.Timeout" }, { healthy: 2, unhealthy: 1 });
    expect(h).toMatchObject({ state: "unhealthy", reason: "Target.Timeout" });
    h = nextHealth(h, ok, { healthy: 1, unhealthy: 1 });
    expect(h.reason).toBeUndefined();
  });

  it.each<[string, number, boolean]>([
    ["200", 200, true],
    ["200", 204, false],
    ["200,202", 202, true],
    ["200-299", 250, true],
    ["200-299", 301, false],
    ["200,300-399", 302, true],
    ["200, 404", 404, true],
  ])("matcher %s with %d: %s", (code, status, expected) => {
    expect(parseMatcher(code)(status)).toBe(expected);
  });

  const t = (key: string, state: HealthStatus["state"]) => ({ key, health: { ...INITIAL_HEALTH, state } });
  it.each<[string, ReturnType<typeof t>[], string[]]>([
    ["healthy targets only", [t("a", "healthy"), t("b", "unhealthy"), t("c", "initial")], ["a"]],
    [
      "fail open: every registered target when none is healthy",
      [t("a", "unhealthy"), t("b", "initial")],
      ["a", "b"],
    ],
    ["never a draining target", [t("a", "draining"), t("b", "unhealthy")], ["b"]],
    ["health checks disabled: unavailable targets get traffic", [t("a", "unavailable")], ["a"]],
    ["none left", [t("a", "draining")], []],
  ])("routes to %s", (_name, targets, keys) => {
    expect(routableTargets(targets).map((x) => x.key)).toEqual(keys);
  });
});
