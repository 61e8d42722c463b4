// Kubernetes adapter: one coordination.k8s.io/v1 Lease, read and written with its resourceVersion
// as a guard, so of two writers racing for it exactly one wins. The election rules that use it are
// in leader-election.ts.

import { CoordinationV1Api, type KubeConfig, V1MicroTime } from "@kubernetes/client-node";
import { statusCodeOf } from "./kube-port.ts";

/** Where the Lease lives. */
export interface LeaseRef {
  readonly namespace: string;
  readonly name: string;
}

/** The Lease's spec, times in epoch milliseconds. */
export interface LeaseRecord {
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTime?: number;
  readonly renewTime?: number;
  readonly leaseTransitions: number;
}

/** One Kubernetes call made, for metrics. */
export type LeaseCallHook = (verb: "get" | "create" | "update", result: "success" | "error") => void;

function parseTime(v: unknown): number | undefined {
  if (v instanceof Date) return v.getTime();
  if (typeof v === "string") {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

/** Reads and writes one Lease record, guarded by resourceVersion (the API server, or a fake in tests). */
export interface LeaseStore {
  get(): Promise<{ record: LeaseRecord; resourceVersion: string } | undefined>;
  /** Creates the record; false when it already exists. */
  create(record: LeaseRecord): Promise<boolean>;
  /** Replaces the record if still at `resourceVersion`; false when it moved on. */
  update(record: LeaseRecord, resourceVersion: string): Promise<boolean>;
}

/** Reads and writes one Lease object, guarded by resourceVersion. */
export class LeaseLock implements LeaseStore {
  readonly ref: LeaseRef;
  private readonly api: CoordinationV1Api;
  private readonly onCall: LeaseCallHook;

  constructor(config: KubeConfig, ref: LeaseRef, onCall: LeaseCallHook = () => {}) {
    this.ref = ref;
    this.api = config.makeApiClient(CoordinationV1Api);
    this.onCall = onCall;
  }

  /** The current record and resourceVersion, or undefined when the Lease does not exist. */
  async get(): Promise<{ record: LeaseRecord; resourceVersion: string } | undefined> {
    try {
      const lease = await this.api.readNamespacedLease(this.ref);
      this.onCall("get", "success");
      const spec = lease.spec ?? {};
      const acquireTime = parseTime(spec.acquireTime);
      const renewTime = parseTime(spec.renewTime);
      return {
        resourceVersion: lease.metadata?.resourceVersion ?? "",
        record: {
          holderIdentity: spec.holderIdentity ?? "",
          leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
          leaseTransitions: spec.leaseTransitions ?? 0,
          ...(acquireTime !== undefined ? { acquireTime } : {}),
          ...(renewTime !== undefined ? { renewTime } : {}),
        },
      };
    } catch (err) {
      if (statusCodeOf(err) === 404) {
        this.onCall("get", "success");
        return undefined;
      }
      this.onCall("get", "error");
      throw err;
    }
  }

  /** Creates the Lease; false when someone else created it first. */
  async create(record: LeaseRecord): Promise<boolean> {
    return this.write("create", () =>
      this.api.createNamespacedLease({
        namespace: this.ref.namespace,
        body: { metadata: { name: this.ref.name, namespace: this.ref.namespace }, spec: toSpec(record) },
      }),
    );
  }

  /** Replaces the Lease's spec if it is still at `resourceVersion`; false when it moved on. */
  async update(record: LeaseRecord, resourceVersion: string): Promise<boolean> {
    return this.write("update", () =>
      this.api.replaceNamespacedLease({
        ...this.ref,
        body: {
          metadata: { name: this.ref.name, namespace: this.ref.namespace, resourceVersion },
          spec: toSpec(record),
        },
      }),
    );
  }

  private async write(verb: "create" | "update", call: () => Promise<unknown>): Promise<boolean> {
    try {
      await call();
      this.onCall(verb, "success");
      return true;
    } catch (err) {
      // 409: another candidate wrote first (or created it); that is an answer, not a failure.
      if (statusCodeOf(err) === 409) {
        this.onCall(verb, "success");
        return false;
      }
      this.onCall(verb, "error");
      throw err;
    }
  }
}

function toSpec(r: LeaseRecord) {
  return {
    holderIdentity: r.holderIdentity,
    leaseDurationSeconds: r.leaseDurationSeconds,
    leaseTransitions: r.leaseTransitions,
    ...(r.acquireTime !== undefined ? { acquireTime: new V1MicroTime(r.acquireTime) } : {}),
    ...(r.renewTime !== undefined ? { renewTime: new V1MicroTime(r.renewTime) } : {}),
  };
}
