import { describe, expect, it } from "vitest";
import { loadControllerSettings, parseDuration } from "./controller-settings.ts";

describe("parseDuration", () => {
  it.each([
    ["10m", 600_000],
    ["15s", 15_000],
    ["500ms", 500],
    ["1h30m", 5_400_000],
    ["1.5s", 1500],
    ["10", undefined],
    ["10 m", undefined],
    ["m", undefined],
    ["", undefined],
  ])("%s -> %s", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
});

describe("loadControllerSettings", () => {
  it("has AWS LBC-like defaults", () => {
    expect(loadControllerSettings({}, { POD_NAMESPACE: "gannet-system" })).toEqual({
      resyncMs: 600_000,
      verifyMs: 1_800_000,
      metricsAddress: ":8080",
      leaderElection: true,
      leaseNamespace: "gannet-system",
      leaseName: "gannet-leader",
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      logLevel: "info",
      shutdownTimeoutMs: 25_000,
    });
  });

  it("takes flags over the environment, and 0 turns the HTTP server off", () => {
    const s = loadControllerSettings(
      { resyncPeriod: "1m", metricsBindAddress: "0", leaderElect: "false" },
      { GANNET_RESYNC_PERIOD: "5m", GANNET_LEASE_NAMESPACE: "ops" },
    );

    expect([s.resyncMs, s.metricsAddress, s.leaderElection, s.leaseNamespace]).toEqual([
      60_000,
      undefined,
      false,
      "ops",
    ]);
  });

  it.each([
    [
      { resyncPeriod: "often" },
      /--resync-period \/ GANNET_RESYNC_PERIOD: must be a duration such as 10m; got "often"/,
    ],
    [
      { renewDeadline: "20s" },
      /--renew-deadline \/ GANNET_RENEW_DEADLINE: must be shorter than the lease duration/,
    ],
    [{ leaderElect: "maybe" }, /--leader-elect \/ GANNET_LEADER_ELECT: must be true or false; got "maybe"/],
    [{ metricsBindAddress: "8080" }, /--metrics-bind-address .*: must be host:port or :port/],
    [{ logLevel: "loud" }, /--log-level .*; got "loud"/],
  ])("names the setting, the value and the fix: %o", (flags, message) => {
    expect(() => loadControllerSettings(flags, {})).toThrow(message);
  });
});
