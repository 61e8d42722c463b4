// Apply stage: how a failed AWS call maps to what the queue does next.

import { kindOfAwsError } from "../aws/errors.ts";

/** What to do after a failure: retry with backoff, requeue after a delay, or stop (reported, not retried). */
export type Disposition =
  | { readonly action: "retry" }
  | { readonly action: "requeue"; readonly afterMs: number; readonly reason: string }
  | { readonly action: "terminal"; readonly reason: string };

/**
 * Classifies an AWS error into a queue disposition. Throttling and 5xx arrive here only once the
 * SDK's retries gave up: like any other error, the work queue retries them with its own backoff.
 */
export function classifyAwsError(err: unknown): Disposition {
  const name = err instanceof Error ? err.name : "Error";
  switch (kindOfAwsError(err)) {
    case "later":
      return { action: "requeue", afterMs: 15_000, reason: `${name}: AWS still holds a dependency` };
    case "terminal":
      return { action: "terminal", reason: name };
    default:
      return { action: "retry" };
  }
}
