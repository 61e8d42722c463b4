// A converged group's fingerprint, kept on its ALB as the `gannet.io/state` tag, so a resync of an
// unchanged group needs no per-group AWS read at all.
//
// The tag holds a hash of everything the group should be (model, certificates chosen, DNS inputs).
// It is written only after a reconcile that fully succeeded, and removed before any mutation, so it
// never claims a state AWS is not in: a failed apply followed by a revert of the Ingress cannot hide
// behind an old fingerprint. It lives in AWS, not in memory: a restart or a fresh Lambda reads it too.
// Drift made outside Gannet (a rule edited in the console) is caught by the periodic deep verify.

import type { Elbv2Port, LoadBalancerSummary } from "../aws/elbv2.ts";
import { shortHash, TAG } from "../model/ownership.ts";

/** Computes the fingerprint of a group's desired state from its JSON-able parts. */
export function computeStateHash(parts: readonly unknown[]): string {
  return shortHash(
    parts.map((p) => JSON.stringify(p)),
    32,
  );
}

/** True when the ALB's tag says AWS already holds exactly this desired state. */
export function isConverged(lb: LoadBalancerSummary | undefined, hash: string): boolean {
  return lb !== undefined && lb.tags[TAG.state] === hash;
}

/** Removes the fingerprint once, before the first mutation of a reconcile; then writes it on success. */
export class StateTag {
  private readonly elbv2: Elbv2Port;
  private readonly lb: LoadBalancerSummary | undefined;
  private invalidated = false;

  constructor(elbv2: Elbv2Port, lb: LoadBalancerSummary | undefined) {
    this.elbv2 = elbv2;
    this.lb = lb;
  }

  /** Call before any AWS mutation of the group: the fingerprint must not outlive a partial change. */
  async invalidate(): Promise<void> {
    if (this.invalidated || !this.lb?.tags[TAG.state]) return;
    this.invalidated = true;
    await this.elbv2.removeTags(this.lb.arn, [TAG.state]);
  }

  /** Writes the fingerprint on the group's (possibly new) ALB when it differs from what is there. */
  async write(lb: LoadBalancerSummary | undefined, hash: string): Promise<void> {
    if (!lb) return;
    const current = lb.arn === this.lb?.arn && this.invalidated ? undefined : lb.tags[TAG.state];
    if (current === hash) return;
    await this.elbv2.addTags(lb.arn, { [TAG.state]: hash });
  }
}
