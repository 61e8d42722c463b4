// Test support: an in-process `gannet controller` for a scenario, with short Lease timings, an
// ephemeral metrics port, and quiet logs (GANNET_TEST_LOG=debug shows them).

import type { ControllerSettings } from "../../src/config/controller-settings.ts";
import type { Settings } from "../../src/config/settings.ts";
import { Controller, type ControllerOptions } from "../../src/runtime/controller.ts";
import { createLogger } from "../../src/runtime/log.ts";

/** Controller settings for tests: the Lease in the test's namespace, 4 s lease, metrics on a free port. */
export function testControllerSettings(
  leaseNamespace: string,
  over: Partial<ControllerSettings> = {},
): ControllerSettings {
  return {
    resyncMs: 600_000,
    verifyMs: 1_800_000,
    metricsAddress: "127.0.0.1:0",
    leaderElection: true,
    leaseNamespace,
    leaseName: "gannet-leader",
    leaseDurationMs: 4000,
    renewDeadlineMs: 3000,
    retryPeriodMs: 500,
    logLevel: "info",
    shutdownTimeoutMs: 10_000,
    ...over,
  };
}

/** Starts a controller in this process; stop it with `stop()`. */
export async function startController(
  settings: Settings,
  cs: ControllerSettings,
  opts: ControllerOptions = {},
): Promise<Controller> {
  const logger = createLogger(process.env.GANNET_TEST_LOG ?? "silent");
  const controller = new Controller(settings, cs, { logger, settleMs: 50, ...opts });
  await controller.start();
  return controller;
}

/** Polls `probe` until it returns a value (not a timed assertion: the timeout only bounds a hang). */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
