// Kubernetes adapter: a coordination.k8s.io/v1 Lease taken for a bounded time, the lock a Lambda
// invocation holds so that invocations never overlap and never fight an in-cluster controller.
//
// A stand-in: it takes the Lease when nobody holds it or the holder let it lapse
// (renewTime + leaseDurationSeconds in the past), guarded by resourceVersion so two takers cannot both
// win, and gives it back on release. It does not renew: the taker asks for as long as it needs. The
// in-cluster controller's leader election (another module) honours the same fields, so either can
// replace this one behind the LeaseLock seam of src/runtime/lambda.ts.

import { CoordinationV1Api, type KubeConfig, type V1Lease, V1MicroTime } from "@kubernetes/client-node";
import { statusCodeOf } from "./kube-port.ts";

/** Where the Lease lives. */
export interface SimpleLeaseLockOptions {
  readonly namespace: string;
  readonly name: string;
  readonly now?: () => Date;
}

/** A Lease taken for a fixed duration and given back on release. */
export class SimpleLeaseLock {
  private readonly api: CoordinationV1Api;
  private readonly opts: SimpleLeaseLockOptions;
  private holder: string | undefined;

  constructor(config: KubeConfig, opts: SimpleLeaseLockOptions) {
    this.api = config.makeApiClient(CoordinationV1Api);
    this.opts = opts;
  }

  /** Takes the Lease for `durationSeconds` if it is free, lapsed or already ours; false when someone else holds it. */
  async tryAcquire(holder: string, durationSeconds: number): Promise<boolean> {
    const { namespace, name } = this.opts;
    const now = this.now();
    const spec = {
      holderIdentity: holder,
      leaseDurationSeconds: Math.max(1, Math.ceil(durationSeconds)),
      renewTime: new V1MicroTime(now.getTime()),
    };
    const current = await this.api.readNamespacedLease({ name, namespace }).catch((err: unknown) => {
      if (statusCodeOf(err) === 404) return undefined;
      throw err;
    });
    try {
      if (!current) {
        await this.api.createNamespacedLease({
          namespace,
          body: {
            metadata: { name, namespace },
            spec: { ...spec, acquireTime: new V1MicroTime(now.getTime()), leaseTransitions: 0 },
          },
        });
      } else {
        if (!isFree(current, holder, now)) return false;
        const ours = current.spec?.holderIdentity === holder;
        await this.api.replaceNamespacedLease({
          name,
          namespace,
          body: {
            ...current,
            spec: {
              ...current.spec,
              ...spec,
              acquireTime: (ours ? current.spec?.acquireTime : undefined) ?? new V1MicroTime(now.getTime()),
              leaseTransitions: (current.spec?.leaseTransitions ?? 0) + (ours ? 0 : 1),
            },
          },
        });
      }
    } catch (err) {
      // 409: another taker wrote the Lease between our read and our write; it won.
      if (statusCodeOf(err) === 409) return false;
      throw err;
    }
    this.holder = holder;
    return true;
  }

  /** Gives the Lease back (holder cleared) if it is still ours; a Lease taken over meanwhile is left alone. */
  async release(): Promise<void> {
    const holder = this.holder;
    if (!holder) return;
    this.holder = undefined;
    const { namespace, name } = this.opts;
    const current = await this.api.readNamespacedLease({ name, namespace });
    if (current.spec?.holderIdentity !== holder) return;
    try {
      await this.api.replaceNamespacedLease({
        name,
        namespace,
        body: {
          ...current,
          spec: {
            ...current.spec,
            holderIdentity: "",
            leaseDurationSeconds: 1,
            renewTime: new V1MicroTime(this.now().getTime()),
          },
        },
      });
    } catch (err) {
      if (statusCodeOf(err) !== 409) throw err;
    }
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }
}

/** True when `holder` may take the Lease: nobody holds it, `holder` does, or the holder let it lapse. */
export function isFree(lease: V1Lease, holder: string, now: Date): boolean {
  const spec = lease.spec;
  if (!spec?.holderIdentity || spec.holderIdentity === holder) return true;
  const renewed = spec.renewTime ?? spec.acquireTime;
  if (!renewed) return true;
  return new Date(renewed).getTime() + (spec.leaseDurationSeconds ?? 0) * 1000 < now.getTime();
}
