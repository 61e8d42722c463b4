// AWS adapter: what an AWS error means for the next reconcile, told by the SDK's exception classes
// (`instanceof`), or for codes the SDK does not model (every EC2 error; ELBv2's ValidationError and
// AccessDenied) by the service's base exception and its `name`.

import { AccessDeniedException, ResourceInUseException as AcmResourceInUse } from "@aws-sdk/client-acm";
import { EC2ServiceException } from "@aws-sdk/client-ec2";
import {
  ElasticLoadBalancingV2ServiceException,
  ResourceInUseException as ElbResourceInUse,
  InvalidConfigurationRequestException,
  OperationNotPermittedException,
  TooManyCertificatesException,
  TooManyListenersException,
  TooManyLoadBalancersException,
  TooManyRulesException,
  TooManyTargetGroupsException,
  TooManyTargetsException,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  WAFInvalidParameterException,
  WAFNonexistentItemException,
  WAFUnavailableEntityException,
} from "@aws-sdk/client-wafv2";

/** later: AWS clears it by itself after a while; terminal: no retry can fix it; other: retry with backoff. */
export type AwsErrorKind = "later" | "terminal" | "other";

type ExceptionClass = abstract new (...args: never[]) => Error;

// Resources still detaching or in use; WAFv2 cannot see a load balancer for a short while after it is created.
const LATER: readonly ExceptionClass[] = [
  ElbResourceInUse,
  OperationNotPermittedException,
  AcmResourceInUse,
  WAFUnavailableEntityException,
];
const LATER_EC2 = new Set(["DependencyViolation", "InvalidGroup.InUse"]);

// The request is wrong until the input or the account changes.
const TERMINAL: readonly ExceptionClass[] = [
  InvalidConfigurationRequestException,
  TooManyLoadBalancersException,
  TooManyTargetGroupsException,
  TooManyRulesException,
  TooManyListenersException,
  TooManyTargetsException,
  TooManyCertificatesException,
  AccessDeniedException,
  WAFNonexistentItemException,
  WAFInvalidParameterException,
];
const TERMINAL_ELB = new Set(["ValidationError", "AccessDenied"]);
const TERMINAL_EC2 = new Set(["InvalidParameterValue", "UnauthorizedOperation"]);

/** Classifies an error an AWS call threw (after the SDK's own retries). */
export function kindOfAwsError(err: unknown): AwsErrorKind {
  if (LATER.some((c) => err instanceof c)) return "later";
  if (err instanceof EC2ServiceException && LATER_EC2.has(err.name)) return "later";
  if (TERMINAL.some((c) => err instanceof c)) return "terminal";
  if (err instanceof ElasticLoadBalancingV2ServiceException && TERMINAL_ELB.has(err.name)) return "terminal";
  if (err instanceof EC2ServiceException && TERMINAL_EC2.has(err.name)) return "terminal";
  return "other";
}
