// Apply stage: how a failed AWS call maps to what the queue does next.

import { isRetryableAwsError } from "../aws/call-layer.ts";

/** What to do after a failure: retry with backoff, requeue after a delay, or stop (reported, not retried). */
export type Disposition =
  | { readonly action: "retry" }
  | { readonly action: "requeue"; readonly afterMs: number; readonly reason: string }
  | { readonly action: "terminal"; readonly reason: string };

// Errors AWS clears by itself after a while: resources still detaching or in use.
const LATER = new Set([
  "DependencyViolation",
  "ResourceInUse",
  "ResourceInUseException",
  "InvalidGroup.InUse",
  "OperationNotPermitted",
  // WAFv2 cannot see a load balancer for a short while after it is created.
  "WAFUnavailableEntityException",
]);
// Errors no retry can fix: the request is wrong until the input or the account changes.
const TERMINAL = new Set([
  "ValidationError",
  "InvalidParameterValue",
  "InvalidConfigurationRequest",
  "TooManyLoadBalancers",
  "TooManyTargetGroups",
  "TooManyRules",
  "TooManyListeners",
  "TooManyTargets",
  "TooManyCertificates",
  "AccessDenied",
  "AccessDeniedException",
  "UnauthorizedOperation",
  "WAFNonexistentItemException",
  "WAFInvalidParameterException",
]);

/** Classifies an AWS error into a queue disposition. */
export function classifyAwsError(err: unknown): Disposition {
  const name = (err as { name?: string } | undefined)?.name ?? "";
  if (LATER.has(name))
    return { action: "requeue", afterMs: 15_000, reason: `${name}: AWS still holds a dependency` };
  if (TERMINAL.has(name)) return { action: "terminal", reason: name };
  if (isRetryableAwsError(err)) return { action: "retry" };
  return { action: "retry" };
}
