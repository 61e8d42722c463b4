// AWS adapter: the one layer every AWS call passes through.
// The SDK retries (its standard strategy, configured here as Gannet always retried: up to 8 attempts,
// full-jitter exponential backoff from 100 ms to 20 s, throttling and 5xx as the SDK classifies them).
// This layer counts and times each call, taking its attempts from the SDK's own response metadata
// (`$metadata.attempts`, on the output or on the error), and runs the fault hook before every attempt.
// The counts are a product feature (metrics, per-reconcile counts, the benchmark):
//   - a *call* is one operation as the code asks for it (one `send`, one page of a paginator);
//   - an *attempt* is one HTTP request of that call; `retries` = attempts - calls.

import { AsyncLocalStorage } from "node:async_hooks";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";

/** Per-operation figures. `calls` are operations asked for; `attempts` are the requests they took. */
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

/** One finished call, as a listener of `CallStats` sees it (metrics). */
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

  /** Records one finished call. */
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

/** Retry settings, given to the SDK's standard retry strategy. */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** Defaults: up to 8 attempts, 100 ms base, 20 s cap (full jitter). */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 100, maxDelayMs: 20_000 };

/** Full-jitter backoff before attempt `attempt + 1`: a random delay in [0, min(cap, base·2^attempt)). */
export function backoffDelayMs(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  return Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt));
}

/**
 * The SDK's standard retry strategy with Gannet's attempts and backoff. The SDK's own delays (since
 * 2026: a 1 s base for throttling) would slow a throttled controller down tenfold; its retry quota
 * (a token bucket per client, drained by retries and refilled by successes) is kept.
 */
export function createRetryStrategy(policy: RetryPolicy = DEFAULT_RETRY): ConfiguredRetryStrategy {
  return new ConfiguredRetryStrategy(policy.maxAttempts, (attempt) => backoffDelayMs(policy, attempt));
}

/** A hook that may throw before an attempt reaches AWS: the leader fence, and how tests inject faults. */
export type FaultInjector = (service: string, operation: string, attempt: number) => void;

/** Settings shared by every wrapped client. */
export interface CallLayerOptions {
  readonly stats: CallStats;
  readonly retry?: RetryPolicy;
  readonly faults?: FaultInjector;
}

/** The client settings that hand retries to the SDK's strategy (spread into a client's config). */
export function retryConfig(opts: Pick<CallLayerOptions, "retry">): {
  maxAttempts: number;
  retryStrategy: ConfiguredRetryStrategy;
} {
  const policy = opts.retry ?? DEFAULT_RETRY;
  return { maxAttempts: policy.maxAttempts, retryStrategy: createRetryStrategy(policy) };
}

interface MiddlewareStackLike {
  add(middleware: unknown, options: { step: "initialize"; name: string; priority?: "high" | "low" }): void;
  add(
    middleware: unknown,
    options: { step: "finalizeRequest"; name: string; priority?: "high" | "low" },
  ): void;
}

interface HandlerContext {
  readonly clientName?: string;
  readonly commandName?: string;
}

interface Metadata {
  readonly $metadata?: { readonly attempts?: number };
}

type Next = (args: unknown) => Promise<{ output?: Metadata }>;

function namesOf(context: HandlerContext): { service: string; operation: string } {
  return {
    service: (context.clientName ?? "aws").replace(/Client$/, ""),
    operation: (context.commandName ?? "Unknown").replace(/Command$/, ""),
  };
}

/**
 * Installs the call layer on an SDK v3 client configured with `retryConfig`: a counter around each
 * call (outside the SDK's retry loop) and the fault hook before each attempt (inside it).
 */
export function installCallLayer(
  client: { middlewareStack: MiddlewareStackLike },
  opts: CallLayerOptions,
): void {
  const record = (service: string, operation: string, attempts: number, failed: boolean, ms: number) => {
    opts.stats.record(service, operation, attempts, failed, ms);
    scopes.getStore()?.record(service, operation, attempts, failed, ms);
  };
  const count = (next: Next, context: HandlerContext) => async (args: unknown) => {
    const { service, operation } = namesOf(context);
    const started = performance.now();
    try {
      const out = await next(args);
      record(service, operation, out.output?.$metadata?.attempts ?? 1, false, performance.now() - started);
      return out;
    } catch (err) {
      // The SDK writes the attempts onto the error it gives up with; an error raised before the
      // first request (a bad parameter, no credentials) took none, and counts as one.
      const attempts = (err as Metadata | undefined)?.$metadata?.attempts ?? 1;
      record(service, operation, Math.max(1, attempts), true, performance.now() - started);
      throw err;
    }
  };
  client.middlewareStack.add(count, { step: "initialize", name: "gannetCallLayer", priority: "high" });
  const faults = opts.faults;
  if (!faults) return;
  // finalizeRequest, low priority: inside the SDK's retry middleware (finalizeRequest, high), so it
  // runs once per attempt, and an error it throws is classified and retried like AWS's own.
  const beforeAttempt = (next: Next, context: HandlerContext) => {
    // The SDK builds the handler chain once per `send` (clients leave `cacheMiddleware` off), so
    // this counts the attempts of one call.
    let attempt = 0;
    return (args: unknown) => {
      attempt += 1;
      const { service, operation } = namesOf(context);
      faults(service, operation, attempt);
      return next(args);
    };
  };
  client.middlewareStack.add(beforeAttempt, {
    step: "finalizeRequest",
    name: "gannetFaultHook",
    priority: "low",
  });
}
