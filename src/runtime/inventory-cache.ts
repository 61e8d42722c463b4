// Runtime: one AWS inventory (the cluster's ALBs, target groups, security groups, subnets,
// certificates and hosted zones: about six reads) shared by the reconciles that start within a
// short time, as a pass shares it between its groups. What apply creates and deletes is recorded in
// it, and a successful reconcile records the fingerprint it wrote, so it stays true while this
// process is the only writer; anything else (a failure, a pending certificate, a halted group, a
// certificate or DNS change, which the inventory does not record) drops it, and the next reconcile
// reads AWS again.

import type { ClusterInventory } from "../observe/observe-aws.ts";
import type { ReconcileOutcome } from "../reconcile/outcome.ts";

/** A shared, single-flight inventory that expires after `maxAgeMs`. */
export class InventoryCache {
  private readonly read: () => Promise<ClusterInventory>;
  private readonly maxAgeMs: number;
  private current: { at: number; inventory: Promise<ClusterInventory> } | undefined;

  constructor(read: () => Promise<ClusterInventory>, maxAgeMs: number) {
    this.read = read;
    this.maxAgeMs = maxAgeMs;
  }

  /** The shared inventory, read again when older than the maximum age or dropped. */
  get(): Promise<ClusterInventory> {
    const now = Date.now();
    if (!this.current || now - this.current.at >= this.maxAgeMs) {
      const inventory = this.read();
      const entry = { at: now, inventory };
      this.current = entry;
      // A failed read is not shared: the next reconcile tries again.
      inventory.catch(() => {
        if (this.current === entry) this.current = undefined;
      });
    }
    return this.current.inventory;
  }

  /** Drops the inventory: the next reconcile reads AWS again. */
  invalidate(): void {
    this.current = undefined;
  }

  /** Keeps the inventory only when the reconcile left it true (see the header). */
  afterOutcome(outcome: ReconcileOutcome): void {
    if (!inventoryStillTrue(outcome)) this.invalidate();
  }
}

/**
 * True when a reconcile leaves the shared inventory as true as it found it: it changed nothing, or
 * it changed only ELBv2/EC2 resources (the inventory remembers what apply did), converged and wrote the group's
 * fingerprint (recorded too).
 */
export function inventoryStillTrue(outcome: ReconcileOutcome): boolean {
  if (outcome.disposition.action !== "done" || outcome.error) return false;
  if ((outcome.other?.length ?? 0) > 0) return false;
  if (outcome.applied.length === 0) return true;
  return !outcome.desired.halt && outcome.desired.loadBalancer !== undefined;
}
