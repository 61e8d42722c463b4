import { describe, expect, it } from "vitest";
import type { ClusterInventory } from "../observe/observe-aws.ts";
import type { ReconcileOutcome } from "../reconcile/outcome.ts";
import { InventoryCache, inventoryStillTrue } from "./inventory-cache.ts";

const withAlb = { group: "g", members: [], listeners: [], targetGroups: [], problems: [], loadBalancer: {} };
const change = { kind: "createRule" };

function outcome(o: Partial<Record<keyof ReconcileOutcome, unknown>>): ReconcileOutcome {
  return {
    group: "g",
    desired: withAlb,
    planned: [],
    applied: [],
    disposition: { action: "done" },
    calls: {},
    ...o,
  } as unknown as ReconcileOutcome;
}

describe("inventoryStillTrue", () => {
  it.each([
    ["nothing changed", outcome({}), true],
    ["ELBv2 changes, converged, fingerprint written", outcome({ applied: [change] }), true],
    ["a failure", outcome({ applied: [change], disposition: { action: "retry" }, error: "x" }), false],
    [
      "a pending certificate",
      outcome({ disposition: { action: "requeue", afterMs: 15_000, reason: "p" } }),
      false,
    ],
    ["a certificate or DNS change", outcome({ other: ["UPSERT A a.example.com"] }), false],
    ["changes of a halted group", outcome({ applied: [change], desired: { ...withAlb, halt: true } }), false],
    [
      "a group torn down",
      outcome({ applied: [change], desired: { ...withAlb, loadBalancer: undefined } }),
      false,
    ],
  ])("%s -> %s", (_what, o, kept) => {
    expect(inventoryStillTrue(o)).toBe(kept);
  });
});

describe("InventoryCache", () => {
  it("shares one read until dropped, and never shares a failed read", async () => {
    let reads = 0;
    let fail = true;
    const cache = new InventoryCache(async () => {
      reads++;
      if (fail) throw new Error("throttled");
      return { cluster: "c" } as unknown as ClusterInventory;
    }, 60_000);

    await expect(cache.get()).rejects.toThrow("throttled");
    fail = false;
    const [a, b] = await Promise.all([cache.get(), cache.get()]);
    cache.afterOutcome(outcome({ other: ["UPSERT A x"] }));
    await cache.get();

    expect(a).toBe(b);
    expect(reads).toBe(3);
  });
});
