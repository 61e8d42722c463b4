// Runtime: the leader fence. Every write of a reconcile, to AWS or to Kubernetes, is refused once
// this process no longer holds the leader Lease, so a reconcile still running after the Lease is
// lost (or after the renew deadline passed) cannot race the new leader. Reads always pass.

import { type FaultInjector, isReadOperation } from "../aws/call-layer.ts";
import type { ReconcileDeps } from "../reconcile/reconcile-group.ts";

/** Raised by the fence: a write attempted by a process that is not (or no longer) the leader. */
export class NotLeaderError extends Error {
  override readonly name = "NotLeaderError";
}

/** Counts one Kubernetes call (metrics). */
export type KubeCallCounter = (verb: string, resource: string, result: "success" | "error") => void;

/** The AWS side of the fence: reads always pass, a mutating call needs the Lease. */
export function awsFence(isLeader: () => boolean): FaultInjector {
  return (service, operation) => {
    if (!isReadOperation(operation) && !isLeader())
      throw new NotLeaderError(
        `${service}:${operation} refused: this process no longer holds the leader Lease`,
      );
  };
}

/** Kubernetes writes of a reconcile, refused once not the leader and counted for metrics. */
export function fencedSink(
  kube: ReconcileDeps["kube"],
  isLeader: () => boolean,
  countKubeCall: KubeCallCounter,
): ReconcileDeps["kube"] {
  const call = async (verb: string, resource: string, fn: () => Promise<void>) => {
    if (!isLeader()) throw new NotLeaderError(`${verb} ${resource} refused: this process is not the leader`);
    try {
      await fn();
      countKubeCall(verb, resource, "success");
    } catch (err) {
      countKubeCall(verb, resource, "error");
      throw err;
    }
  };
  return {
    addFinalizer: async (ingress, finalizer) => {
      if (ingress.metadata.finalizers?.includes(finalizer)) return;
      await call("patch", "ingresses", () => kube.addFinalizer(ingress, finalizer));
    },
    removeFinalizer: async (ingress, finalizer) => {
      if (!ingress.metadata.finalizers?.includes(finalizer)) return;
      await call("patch", "ingresses", () => kube.removeFinalizer(ingress, finalizer));
    },
    patchIngressStatus: (ingress, hostname) =>
      call("patch", "ingresses/status", () => kube.patchIngressStatus(ingress, hostname)),
    createEvent: (input) => call("create", "events", () => kube.createEvent(input)),
  };
}
