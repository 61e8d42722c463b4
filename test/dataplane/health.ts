// Emulated ALB data plane, pure: target health, from AWS's "Health checks for Application Load Balancer
// target groups" page and the API reference (TargetHealth, Matcher).
//  - A registered target is `initial` until it passes one health check (then `healthy`), or fails
//    UnhealthyThresholdCount in a row (then `unhealthy`).
//  - A healthy target turns unhealthy after UnhealthyThresholdCount consecutive failures; an unhealthy one
//    healthy after HealthyThresholdCount consecutive successes.
//  - Matcher.HttpCode: one code, a comma list, or a range (`200-299`).
//  - Requests go to healthy targets only; when none is healthy, to every registered target (fail open).
//  - A deregistered target is `draining` for deregistration_delay.timeout_seconds: no new requests.

/** TargetHealth.State values the data plane uses. */
export type HealthState = "initial" | "healthy" | "unhealthy" | "unavailable" | "draining";

/** A target's health and its run of consecutive results. */
export interface HealthStatus {
  readonly state: HealthState;
  readonly reason?: string;
  readonly successes: number;
  readonly failures: number;
}

/** What one health check saw. */
export type CheckResult = { ok: true } | { ok: false; reason: string };

/** The state of a newly registered target. */
export const INITIAL_HEALTH: HealthStatus = {
  state: "initial",
  reason: "Elb.InitialHealthChecking",
  successes: 0,
  failures: 0,
};

/** The health after one more check result. */
export function nextHealth(
  current: HealthStatus,
  result: CheckResult,
  thresholds: { healthy: number; unhealthy: number },
): HealthStatus {
  const successes = result.ok ? current.successes + 1 : 0;
  const failures = result.ok ? 0 : current.failures + 1;
  const reason = result.ok ? undefined : result.reason;
  const base = { successes, failures };
  switch (current.state) {
    case "initial":
      if (result.ok) return { state: "healthy", ...base };
      if (failures >= thresholds.unhealthy) return { state: "unhealthy", reason: reason ?? "", ...base };
      return { ...current, ...base };
    case "healthy":
      if (!result.ok && failures >= thresholds.unhealthy)
        return { state: "unhealthy", reason: reason ?? "", ...base };
      return { state: "healthy", ...base };
    case "unhealthy":
      if (result.ok && successes >= thresholds.healthy) return { state: "healthy", ...base };
      return { state: "unhealthy", reason: reason ?? current.reason ?? "", ...base };
    default:
      return { ...current, ...base };
  }
}

/** A predicate for Matcher.HttpCode (`200`, `200,202`, `200-299`, or a mix). */
export function parseMatcher(httpCode: string): (status: number) => boolean {
  const parts = httpCode
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  const tests = parts.map((p) => {
    const [lo, hi] = p.split("-").map(Number);
    return (s: number) => (hi === undefined ? s === lo : s >= (lo ?? 0) && s <= hi);
  });
  return (status) => tests.some((t) => t(status));
}

/** The targets a request may go to: healthy ones, else every registered one that is not draining (fail open). */
export function routableTargets<T extends { health: HealthStatus }>(targets: readonly T[]): T[] {
  const live = targets.filter((t) => t.health.state !== "draining");
  const healthy = live.filter((t) => t.health.state === "healthy" || t.health.state === "unavailable");
  return healthy.length > 0 ? healthy : live;
}
