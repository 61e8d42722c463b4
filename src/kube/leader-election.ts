// Kubernetes adapter: leader election on a coordination.k8s.io/v1 Lease, with client-go's rules.
//
// A candidate takes the Lease when it is free (no holder: released) or when its record has not
// changed for `leaseDurationSeconds` as measured on the candidate's own clock (never by comparing
// clocks across machines). Every write is guarded by the Lease's resourceVersion, so of two
// candidates racing for it exactly one wins. The holder renews every `retryPeriod`; once it cannot
// renew within `renewDeadline` (shorter than the lease duration) it stops acting as leader, so it
// has given up before anyone else may take over.
//
// Two ways in: `LeaderElector.run` (the in-cluster controller: campaign, lead, renew, lose, campaign
// again) and one `tryAcquireOrRenew` followed by `renewWhileLeading` (a short-lived runner, the Lambda
// invocation: take the Lease or skip the run when someone else holds it, renew while it works,
// `release` at the end). A runner that keeps its elector between runs (a warm Lambda) remembers the
// Lease it saw, so a holder that died without releasing is taken over once its record has not
// changed for the lease duration, as the controller would.

import type { LeaseRecord, LeaseStore } from "./lease.ts";

/** Timing of an election (client-go's defaults: 15 s, 10 s, 2 s). */
export interface LeaseTiming {
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
}

/** client-go's defaults, which AWS Load Balancer Controller uses too. */
export const DEFAULT_LEASE_TIMING: LeaseTiming = {
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};

/** The answer of one attempt: we hold the Lease, someone else does, or the API server failed. */
export type AttemptResult = "held" | "other" | "error";

/** What the election loop tells its owner. */
export interface ElectionCallbacks {
  onStartedLeading(): void;
  onStoppedLeading(): void;
  onNewLeader?(identity: string): void;
  onError?(err: unknown): void;
}

/** A candidate for one Lease. */
export class LeaderElector {
  readonly identity: string;
  private readonly lock: LeaseStore;
  private readonly timing: LeaseTiming;
  private readonly now: () => number;
  private observed: { record: LeaseRecord; resourceVersion: string; json: string } | undefined;
  private observedAt = 0;
  private lastRenewAt: number | undefined;
  /** Why the last attempt failed, when it did. */
  lastError: unknown;

  constructor(lock: LeaseStore, identity: string, timing: LeaseTiming, now: () => number = Date.now) {
    if (timing.renewDeadlineMs >= timing.leaseDurationMs) {
      throw new RangeError(
        `renew deadline ${timing.renewDeadlineMs} ms must be shorter than the lease duration ${timing.leaseDurationMs} ms`,
      );
    }
    this.lock = lock;
    this.identity = identity;
    this.timing = timing;
    this.now = now;
  }

  /** True while this candidate holds the Lease and renewed it within the renew deadline. */
  isLeader(): boolean {
    return (
      this.observed?.record.holderIdentity === this.identity &&
      this.lastRenewAt !== undefined &&
      this.now() - this.lastRenewAt < this.timing.renewDeadlineMs
    );
  }

  /** The holder last seen (empty when the Lease is free). */
  get leader(): string | undefined {
    return this.observed?.record.holderIdentity;
  }

  /** One step: take the Lease if it is free or expired, renew it if ours. Never throws. */
  async tryAcquireOrRenew(): Promise<AttemptResult> {
    try {
      return await this.attempt();
    } catch (err) {
      this.lastError = err;
      return "error";
    }
  }

  private async attempt(): Promise<AttemptResult> {
    const now = this.now();
    const durationSeconds = Math.max(1, Math.ceil(this.timing.leaseDurationMs / 1000));
    const current = await this.lock.get();
    if (!current) {
      const record = {
        holderIdentity: this.identity,
        leaseDurationSeconds: durationSeconds,
        acquireTime: now,
        renewTime: now,
        leaseTransitions: 0,
      };
      if (!(await this.lock.create(record))) return "other";
      this.remember(record, "", now);
      this.lastRenewAt = now;
      return "held";
    }
    const json = JSON.stringify(current.record);
    if (this.observed?.json !== json) {
      this.observed = { ...current, json };
      this.observedAt = now;
    }
    const { record } = current;
    const mine = record.holderIdentity === this.identity;
    const expired = this.observedAt + record.leaseDurationSeconds * 1000 <= now;
    if (record.holderIdentity !== "" && !mine && !expired) return "other";
    const next: LeaseRecord = {
      holderIdentity: this.identity,
      leaseDurationSeconds: durationSeconds,
      acquireTime: mine && record.acquireTime !== undefined ? record.acquireTime : now,
      renewTime: now,
      leaseTransitions: mine ? record.leaseTransitions : record.leaseTransitions + 1,
    };
    if (!(await this.lock.update(next, current.resourceVersion))) return "other";
    this.remember(next, current.resourceVersion, now);
    this.lastRenewAt = now;
    return "held";
  }

  private remember(record: LeaseRecord, resourceVersion: string, now: number): void {
    this.observed = { record, resourceVersion, json: JSON.stringify(record) };
    this.observedAt = now;
  }

  /** Gives the Lease up (if held) so a standby takes over at once instead of waiting for expiry. */
  async release(): Promise<void> {
    if (this.observed?.record.holderIdentity !== this.identity) return;
    this.lastRenewAt = undefined;
    const current = await this.lock.get();
    if (!current || current.record.holderIdentity !== this.identity) return;
    const now = this.now();
    await this.lock.update(
      {
        holderIdentity: "",
        leaseDurationSeconds: 1,
        acquireTime: now,
        renewTime: now,
        leaseTransitions: current.record.leaseTransitions,
      },
      current.resourceVersion,
    );
    this.observed = undefined;
  }

  /**
   * Campaigns until the signal aborts: takes the Lease, leads while renewals succeed, and after
   * losing it (someone else holds it, or no renewal within the renew deadline) campaigns again.
   * Does not release on abort: the owner decides (a graceful stop releases, a crash does not).
   */
  async run(signal: AbortSignal, callbacks: ElectionCallbacks): Promise<void> {
    let lastLeader: string | undefined;
    const noteLeader = () => {
      const leader = this.leader;
      if (leader && leader !== lastLeader) callbacks.onNewLeader?.(leader);
      lastLeader = leader;
    };
    while (!signal.aborted) {
      const result = await this.tryAcquireOrRenew();
      noteLeader();
      if (result === "error") callbacks.onError?.(this.lastError);
      if (result !== "held") {
        await sleep(jittered(this.timing.retryPeriodMs), signal);
        continue;
      }
      callbacks.onStartedLeading();
      await this.renewWhileLeading(signal, noteLeader);
      if (signal.aborted) {
        // The owner stops leading (and may release) once its work is drained.
        return;
      }
      this.lastRenewAt = undefined;
      callbacks.onStoppedLeading();
    }
  }

  /**
   * Renews the Lease every retry period while leading. Resolves true once the signal aborts (the
   * Lease is still held: the owner may release it), false once leadership is lost (another holder,
   * or no renewal within the renew deadline).
   */
  async renewWhileLeading(signal: AbortSignal, onRenewal: () => void = () => {}): Promise<boolean> {
    while (!signal.aborted) {
      await sleep(this.timing.retryPeriodMs, signal);
      if (signal.aborted) break;
      const renewed = await this.renewWithinDeadline(signal);
      onRenewal();
      if (!renewed) return signal.aborted;
    }
    return true;
  }

  // Retries a failing renewal until the renew deadline passes; another holder ends it at once.
  private async renewWithinDeadline(signal: AbortSignal): Promise<boolean> {
    for (;;) {
      const result = await this.tryAcquireOrRenew();
      if (result === "held") return true;
      if (result === "other" || !this.isLeader() || signal.aborted) return false;
      await sleep(Math.min(this.timing.retryPeriodMs, 500), signal);
    }
  }
}

function jittered(ms: number): number {
  return ms * (1 + Math.random() * 0.2);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
