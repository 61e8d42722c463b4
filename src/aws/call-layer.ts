// AWS adapter: the one layer every AWS call passes through.
// It counts calls per service and operation, retries throttling and 5xx with full-jitter exponential
// backoff, and times each call. The counts are a product feature: metrics and benchmarks read them.

import { AsyncLocalStorage } from "node:async_hooks";

/** Per-operation figures. `calls` are logical calls; `attempts` include retries. */
export interface OperationStats {
  calls: number;
  attempts: number;
  retries: number;
  errors: number;
  totalMs: number;
}

/** True for operations that only read (Describe*, List*, Get*). */
export function isReadOperation(operation: string): boolean {
  return /^(Describe|List|Get)/.test(operation);
}

/** One finished logical call, as a listener of `CallStats` sees it (metrics). */
export interface CallRecord {
  readonly service: string;
  readonly operation: string;
  readonly attempts: number;
  readonly failed: boolean;
  readonly ms: number;
}

/** Counts of AWS calls by `service:operation`, shared by every client of one process or test. */
export class CallStats {
  readonly byOperation = new Map<string, OperationStats>();
  private readonly listeners: ((call: CallRecord) => void)[] = [];

  /** Calls `listener` after every call recorded from now on (how metrics observe latency). */
  onCall(listener: (call: CallRecord) => void): void {
    this.listeners.push(listener);
  }

  /** Records one finished logical call. */
  record(service: string, operation: string, attempts: number, failed: boolean, ms: number): void {
    for (const l of this.listeners) l({ service, operation, attempts, failed, ms });
    const key = `${service}:${operation}`;
    const s = this.byOperation.get(key) ?? { calls: 0, attempts: 0, retries: 0, errors: 0, totalMs: 0 };
    s.calls += 1;
    s.attempts += attempts;
    s.retries += attempts - 1;
    s.errors += failed ? 1 : 0;
    s.totalMs += ms;
    this.byOperation.set(key, s);
  }

  /** A copy of the counts, to diff against later with `since`. */
  snapshot(): Map<string, OperationStats> {
    return new Map([...this.byOperation].map(([k, v]) => [k, { ...v }]));
  }

  /** The calls made since `before`, by operation (operations with no new call are left out). */
  since(before: ReadonlyMap<string, OperationStats>): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, v] of [...this.byOperation].sort(([a], [b]) => a.localeCompare(b))) {
      const n = v.calls - (before.get(k)?.calls ?? 0);
      if (n > 0) out[k] = n;
    }
    return out;
  }

  /** Total calls, split into mutating and read calls, optionally since a snapshot. */
  totals(before?: ReadonlyMap<string, OperationStats>): { calls: number; mutating: number; reads: number } {
    let mutating = 0;
    let reads = 0;
    for (const [k, v] of this.byOperation) {
      const n = v.calls - (before?.get(k)?.calls ?? 0);
      if (isReadOperation(k.split(":")[1] ?? "")) reads += n;
      else mutating += n;
    }
    return { calls: mutating + reads, mutating, reads };
  }
}

const scopes = new AsyncLocalStorage<CallStats>();

/**
 * Runs `fn` with its own counter: every AWS call made inside it (however deep, however concurrent
 * with other work) is also recorded in `scoped`. How a reconcile reports the calls of its own group.
 */
export function withCallScope<T>(scoped: CallStats, fn: () => Promise<T>): Promise<T> {
  return scopes.run(scoped, fn);
}

/** Retry settings of the call layer. */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** Defaults: up to 8 attempts, 100 ms base, 20 s cap (full jitter). */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 100, maxDelayMs: 20_000 };

const THROTTLING_CODES = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "PriorRequestNotComplete",
  "SlowDown",
  "EC2ThrottledException",
  "BandwidthLimitExceeded",
]);

const TRANSIENT_NETWORK = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "TimeoutError"]);

/** True when an AWS error is worth retrying: throttling, a 5xx, or a dropped connection. */
export function isRetryableAwsError(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  if (e.name && THROTTLING_CODES.has(e.name)) return true;
  if (e.code && (THROTTLING_CODES.has(e.code) || TRANSIENT_NETWORK.has(e.code))) return true;
  if (e.name && TRANSIENT_NETWORK.has(e.name)) return true;
  const status = e.$metadata?.httpStatusCode;
  return status !== undefined && (status >= 500 || status === 429);
}

/** Full-jitter backoff: a random delay in [0, min(cap, base·2^attempt)). */
export function backoffDelayMs(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  return Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt));
}

/** A hook that may throw before an attempt reaches AWS: how tests inject throttling or crashes. */
export type FaultInjector = (service: string, operation: string, attempt: number) => void;

/** Settings shared by every wrapped client. */
export interface CallLayerOptions {
  readonly stats: CallStats;
  readonly retry?: RetryPolicy;
  readonly faults?: FaultInjector;
  readonly sleep?: (ms: number) => Promise<void>;
}

interface MiddlewareStackLike {
  add(middleware: unknown, options: { step: "initialize"; name: string; priority?: "high" | "low" }): void;
}

interface HandlerContext {
  readonly clientName?: string;
  readonly commandName?: string;
}

type Next = (args: unknown) => Promise<unknown>;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Installs the call layer on an SDK v3 client (whose own retries must be off: maxAttempts 1). */
export function installCallLayer(
  client: { middlewareStack: MiddlewareStackLike },
  opts: CallLayerOptions,
): void {
  const retry = opts.retry ?? DEFAULT_RETRY;
  const sleep = opts.sleep ?? defaultSleep;
  const record = (service: string, operation: string, attempts: number, failed: boolean, ms: number) => {
    opts.stats.record(service, operation, attempts, failed, ms);
    scopes.getStore()?.record(service, operation, attempts, failed, ms);
  };
  const middleware = (next: Next, context: HandlerContext) => async (args: unknown) => {
    const service = (context.clientName ?? "aws").replace(/Client$/, "");
    const operation = (context.commandName ?? "Unknown").replace(/Command$/, "");
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      try {
        opts.faults?.(service, operation, attempt);
        const out = await next(args);
        record(service, operation, attempt, false, performance.now() - started);
        return out;
      } catch (err) {
        if (attempt >= retry.maxAttempts || !isRetryableAwsError(err)) {
          record(service, operation, attempt, true, performance.now() - started);
          throw err;
        }
        await sleep(backoffDelayMs(retry, attempt));
      }
    }
  };
  client.middlewareStack.add(middleware, { step: "initialize", name: "gannetCallLayer", priority: "high" });
}
