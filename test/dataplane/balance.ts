// Emulated ALB data plane, pure: which target group and which target get a request, from AWS's
// "Listener rules" page (forward actions, weighted target groups, target group stickiness) and "Edit
// target group attributes" page (load_balancing.algorithm.type, stickiness.* and lb_cookie duration).
//  - A forward action with several target groups picks one at random in proportion to the weights.
//  - Target group stickiness (ForwardConfig.TargetGroupStickinessConfig) keeps a client on the group named
//    by its AWSALBTG cookie; target stickiness (attribute stickiness.enabled, lb_cookie) on the target named
//    by its AWSALB cookie. Cookie values are opaque, as on ALB.
//  - Otherwise round robin (the default algorithm) or least outstanding requests.

import { createHash } from "node:crypto";

/** An opaque, stable cookie value for a target group ARN or a target key. */
export function stickyToken(s: string): string {
  return createHash("sha256").update(s).digest("base64url").slice(0, 22);
}

/** The value of one cookie in a Cookie header, or undefined. */
export function readCookie(cookieHeader: string | undefined, name: string): string | undefined {
  for (const part of (cookieHeader ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Picks one of weighted groups for `random` in [0, 1); groups of weight 0 never; undefined when all are 0. */
export function pickWeighted<T extends { weight: number }>(
  groups: readonly T[],
  random: number,
): T | undefined {
  const total = groups.reduce((sum, g) => sum + Math.max(0, g.weight), 0);
  if (total <= 0) return undefined;
  let point = random * total;
  for (const g of groups) {
    if (g.weight <= 0) continue;
    if (point < g.weight) return g;
    point -= g.weight;
  }
  return groups.findLast((g) => g.weight > 0);
}

/** A target as the balancer sees it. */
export interface Candidate {
  readonly key: string;
  readonly inflight: number;
}

/** Round robin over candidates from a rotating counter; least outstanding requests when asked. */
export function pickTarget<T extends Candidate>(
  candidates: readonly T[],
  options: { algorithm: string; counter: number },
): T | undefined {
  if (candidates.length === 0) return undefined;
  if (options.algorithm === "least_outstanding_requests") {
    const least = Math.min(...candidates.map((c) => c.inflight));
    const tied = candidates.filter((c) => c.inflight === least);
    return tied[options.counter % tied.length];
  }
  return candidates[options.counter % candidates.length];
}
