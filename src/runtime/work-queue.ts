// Runtime: the controller's work queue of group keys, in the manner of client-go's workqueue.
// A key is queued at most once (adding it again while queued only raises its priority), handed to
// one worker at a time (a key added while it is being processed runs again once that worker is
// done), retried with per-key exponential back-off and full jitter, forgotten on success, and can be
// added after a delay (pending certificates, a short settle time after an event).
// Keys sit in memory only: after a restart the first resync queues every group again.

/** High-priority keys (named by an event) are handed out before low ones (a resync). */
export type Priority = "high" | "low";

/** Back-off of a key that keeps failing: base·2^(failures-1), capped, then jittered. */
export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

/** Defaults: 500 ms, doubling up to 5 minutes. */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 5 * 60_000 };

/** Options of a queue; `random` and timers are injectable for tests. */
export interface WorkQueueOptions {
  readonly backoff?: BackoffPolicy;
  readonly random?: () => number;
}

interface Waiter {
  resolve(key: string | undefined): void;
}

/** A de-duplicating, prioritized, rate-limited queue of keys. */
export class WorkQueue {
  private readonly high: string[] = [];
  private readonly low: string[] = [];
  /** Keys waiting to be handed out, with their priority. */
  private readonly queued = new Map<string, Priority>();
  private readonly processing = new Set<string>();
  /** Keys added while processing: they go back in the queue when the worker is done. */
  private readonly dirty = new Map<string, Priority>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private readonly waiters: Waiter[] = [];
  private readonly backoff: BackoffPolicy;
  private readonly random: () => number;
  private shutDown = false;

  constructor(opts: WorkQueueOptions = {}) {
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.random = opts.random ?? Math.random;
  }

  /** Queues a key now; a key already queued keeps one place (raised to high if asked). */
  add(key: string, priority: Priority = "high"): void {
    if (this.shutDown) return;
    if (this.processing.has(key)) {
      if (this.dirty.get(key) !== "high") this.dirty.set(key, priority);
      return;
    }
    const current = this.queued.get(key);
    if (current === "high" || current === priority) return;
    if (current === "low") this.low.splice(this.low.indexOf(key), 1);
    this.queued.set(key, priority);
    (priority === "high" ? this.high : this.low).push(key);
    this.wakeOne();
  }

  /** Queues a key once `ms` have passed; an earlier pending time for the key wins. */
  addAfter(key: string, ms: number): void {
    if (this.shutDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + ms;
    const pending = this.timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    timer.unref?.();
    this.timers.set(key, { at, timer });
  }

  /** Queues a key after its back-off: each failure in a row doubles the delay. */
  addRateLimited(key: string): number {
    const failures = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, failures);
    const cap = Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** Math.min(failures - 1, 30));
    // Jitter keeps keys that failed together from retrying in lockstep; never less than half the step.
    const delay = Math.round(cap / 2 + (this.random() * cap) / 2);
    this.addAfter(key, delay);
    return delay;
  }

  /** Forgets a key's failures (after a success): its next failure starts the back-off over. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Failures in a row of a key. */
  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** The next key to process, waiting for one; undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    const key = this.take();
    if (key !== undefined || this.shutDown) return Promise.resolve(key);
    return new Promise((resolve) => this.waiters.push({ resolve }));
  }

  /** Marks a key processed; a key added meanwhile is queued again. */
  done(key: string): void {
    this.processing.delete(key);
    const again = this.dirty.get(key);
    if (again !== undefined) {
      this.dirty.delete(key);
      this.add(key, again);
    }
  }

  /** Keys waiting to be handed out. */
  get depth(): number {
    return this.queued.size;
  }

  /** Keys being processed now. */
  get active(): number {
    return this.processing.size;
  }

  /** Keys waiting for a delay (back-off or requeue-after). */
  get delayed(): number {
    return this.timers.size;
  }

  /** True when the key is queued, processing or waiting for a delay. */
  has(key: string): boolean {
    return this.queued.has(key) || this.processing.has(key) || this.timers.has(key);
  }

  /** Releases waiting workers (they get undefined) and drops every delay. */
  shutdown(): void {
    this.shutDown = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const w of this.waiters.splice(0)) w.resolve(undefined);
  }

  /** Wakes workers blocked in `get` without a key (they resolve undefined); the queue stays usable. */
  release(): void {
    for (const w of this.waiters.splice(0)) w.resolve(undefined);
  }

  private take(): string | undefined {
    const key = this.high.shift() ?? this.low.shift();
    if (key === undefined) return undefined;
    this.queued.delete(key);
    this.processing.add(key);
    return key;
  }

  private wakeOne(): void {
    const waiter = this.waiters.shift();
    if (!waiter) return;
    const key = this.take();
    if (key === undefined) this.waiters.unshift(waiter);
    else waiter.resolve(key);
  }
}
