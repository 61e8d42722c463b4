import { describe, expect, it } from "vitest";
import { LeaderElector } from "./leader-election.ts";
import type { LeaseRecord, LeaseStore } from "./lease.ts";

/** A Lease in memory with the API server's resourceVersion check. */
class FakeLease implements LeaseStore {
  record: LeaseRecord | undefined;
  version = 0;
  failing = false;

  async get() {
    if (this.failing) throw new Error("connection refused");
    return this.record ? { record: this.record, resourceVersion: String(this.version) } : undefined;
  }

  async create(record: LeaseRecord) {
    if (this.failing) throw new Error("connection refused");
    if (this.record) return false;
    this.record = record;
    this.version++;
    return true;
  }

  async update(record: LeaseRecord, resourceVersion: string) {
    if (this.failing) throw new Error("connection refused");
    if (resourceVersion !== String(this.version)) return false;
    this.record = record;
    this.version++;
    return true;
  }
}

const TIMING = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

function candidates(store: FakeLease) {
  const clock = { now: 1_000_000 };
  const make = (id: string) => new LeaderElector(store, id, TIMING, () => clock.now);
  return { clock, a: make("a"), b: make("b") };
}

describe("LeaderElector", () => {
  it("creates the Lease when there is none and holds it", async () => {
    const store = new FakeLease();
    const { a } = candidates(store);

    const result = await a.tryAcquireOrRenew();

    expect(result).toBe("held");
    expect(a.isLeader()).toBe(true);
    expect(store.record).toMatchObject({
      holderIdentity: "a",
      leaseDurationSeconds: 15,
      leaseTransitions: 0,
    });
  });

  it("leaves a Lease renewed by someone else alone", async () => {
    const store = new FakeLease();
    const { clock, a, b } = candidates(store);
    await a.tryAcquireOrRenew();

    const first = await b.tryAcquireOrRenew();
    clock.now += 10_000;
    await a.tryAcquireOrRenew();
    clock.now += 10_000;
    const later = await b.tryAcquireOrRenew();

    expect([first, later]).toEqual(["other", "other"]);
    expect(b.isLeader()).toBe(false);
  });

  it("takes over a Lease that has not changed for its duration on its own clock, counting a transition", async () => {
    const store = new FakeLease();
    const { clock, a, b } = candidates(store);
    await a.tryAcquireOrRenew();
    await b.tryAcquireOrRenew();

    clock.now += 14_999;
    const early = await b.tryAcquireOrRenew();
    clock.now += 1;
    const onTime = await b.tryAcquireOrRenew();

    expect([early, onTime]).toEqual(["other", "held"]);
    expect(store.record).toMatchObject({ holderIdentity: "b", leaseTransitions: 1 });
  });

  it("measures expiry from when it first saw the record, not from the holder's renewTime", async () => {
    const store = new FakeLease();
    const { clock, a, b } = candidates(store);
    await a.tryAcquireOrRenew();
    // b starts an hour later: the record looks ancient by renewTime, but b has only just seen it.
    clock.now += 3_600_000;

    const result = await b.tryAcquireOrRenew();

    expect(result).toBe("other");
  });

  it("lets only one of two racing candidates win (resourceVersion guard)", async () => {
    const store = new FakeLease();
    const { clock, a, b } = candidates(store);
    const c = new LeaderElector(store, "c", TIMING, () => clock.now);
    await a.tryAcquireOrRenew();
    await b.tryAcquireOrRenew();
    await c.tryAcquireOrRenew();
    clock.now += 15_000;

    const results = await Promise.all([b.tryAcquireOrRenew(), c.tryAcquireOrRenew()]);

    expect(results.sort()).toEqual(["held", "other"]);
  });

  it("stops being leader once it could not renew within the renew deadline", async () => {
    const store = new FakeLease();
    const { clock, a } = candidates(store);
    await a.tryAcquireOrRenew();
    store.failing = true;

    clock.now += 9_999;
    const failed = await a.tryAcquireOrRenew();
    const within = a.isLeader();
    clock.now += 1;

    expect(failed).toBe("error");
    expect(within).toBe(true);
    expect(a.isLeader()).toBe(false);
  });

  it("releases the Lease so a standby takes it at once", async () => {
    const store = new FakeLease();
    const { a, b } = candidates(store);
    await a.tryAcquireOrRenew();
    await b.tryAcquireOrRenew();

    await a.release();
    const result = await b.tryAcquireOrRenew();

    expect(a.isLeader()).toBe(false);
    expect(result).toBe("held");
  });

  it("honours the holder's own duration (a short-lived runner may take it for longer)", async () => {
    const store = new FakeLease();
    const clock = { now: 0 };
    const lambda = new LeaderElector(
      store,
      "lambda",
      { leaseDurationMs: 300_000, renewDeadlineMs: 240_000, retryPeriodMs: 10_000 },
      () => clock.now,
    );
    const controller = new LeaderElector(store, "pod", TIMING, () => clock.now);
    await lambda.tryAcquireOrRenew();
    await controller.tryAcquireOrRenew();

    clock.now += 60_000;

    expect(await controller.tryAcquireOrRenew()).toBe("other");
  });

  it("refuses a renew deadline that is not shorter than the lease", () => {
    expect(() => new LeaderElector(new FakeLease(), "a", { ...TIMING, renewDeadlineMs: 15_000 })).toThrow(
      /must be shorter than the lease duration/,
    );
  });
});

describe("LeaderElector.renewWhileLeading (a Lambda invocation's hold)", () => {
  const FAST = { leaseDurationMs: 300, renewDeadlineMs: 200, retryPeriodMs: 10 };

  it("renews until the owner stops it, and still holds the Lease then", async () => {
    const store = new FakeLease();
    const a = new LeaderElector(store, "a", FAST);
    await a.tryAcquireOrRenew();
    const stop = new AbortController();

    const holding = a.renewWhileLeading(stop.signal);
    await new Promise((r) => setTimeout(r, 50));
    const renewedVersion = store.version;
    stop.abort();

    expect(await holding).toBe(true);
    expect(renewedVersion).toBeGreaterThan(1);
    expect(a.isLeader()).toBe(true);
    expect(store.record?.holderIdentity).toBe("a");
  });

  it("ends, saying so, once another holder has taken the Lease", async () => {
    const store = new FakeLease();
    const a = new LeaderElector(store, "a", FAST);
    await a.tryAcquireOrRenew();

    store.record = {
      holderIdentity: "b",
      leaseDurationSeconds: 15,
      renewTime: Date.now(),
      leaseTransitions: 1,
    };
    store.version++;
    const kept = await a.renewWhileLeading(new AbortController().signal);

    expect(kept).toBe(false);
    expect(a.isLeader()).toBe(false);
  });
});
