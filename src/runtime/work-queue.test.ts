import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { WorkQueue } from "./work-queue.ts";

async function drain(q: WorkQueue): Promise<string[]> {
  const out: string[] = [];
  while (q.depth > 0) {
    const key = await q.get();
    if (key === undefined) break;
    out.push(key);
    q.done(key);
  }
  return out;
}

describe("WorkQueue", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("hands out a key added many times once", async () => {
    const q = new WorkQueue();

    q.add("a");
    q.add("b");
    q.add("a");

    expect(await drain(q)).toEqual(["a", "b"]);
  });

  it("hands out event keys before resync keys, raising a queued resync key", async () => {
    const q = new WorkQueue();

    q.add("r1", "low");
    q.add("r2", "low");
    q.add("e1", "high");
    q.add("r2", "high");

    expect(await drain(q)).toEqual(["e1", "r2", "r1"]);
  });

  it("never hands one key to two workers: a key added while processed runs again after done", async () => {
    const q = new WorkQueue();
    q.add("a");
    const first = await q.get();

    q.add("a");
    const afterAdd = q.depth;
    q.done("a");

    expect(first).toBe("a");
    expect(afterAdd).toBe(0);
    expect(await q.get()).toBe("a");
  });

  it("wakes a waiting worker when a key arrives", async () => {
    const q = new WorkQueue();
    const waiting = q.get();

    q.add("late");

    expect(await waiting).toBe("late");
  });

  it("adds a key after a delay, the earliest delay winning", async () => {
    const q = new WorkQueue();

    q.addAfter("a", 1000);
    q.addAfter("a", 200);
    q.addAfter("a", 5000);
    vi.advanceTimersByTime(199);
    const before = q.depth;
    vi.advanceTimersByTime(1);

    expect(before).toBe(0);
    expect(q.depth).toBe(1);
    expect(q.delayed).toBe(0);
  });

  it.each([
    // failures in a row -> the delay drawn with random() = 0 (half the step) and = 1 (the full step)
    [1, 250, 500],
    [2, 500, 1000],
    [3, 1000, 2000],
    [12, 150_000, 300_000],
  ])("backs off exponentially with jitter: failure %i waits %i..%i ms", (failures, low, high) => {
    const lowQ = new WorkQueue({ random: () => 0 });
    const highQ = new WorkQueue({ random: () => 1 });

    let lowDelay = 0;
    let highDelay = 0;
    for (let i = 0; i < failures; i++) {
      lowDelay = lowQ.addRateLimited("k");
      highDelay = highQ.addRateLimited("k");
    }

    expect([lowDelay, highDelay]).toEqual([low, high]);
  });

  it("forgets failures on success, so the next failure starts the back-off over", () => {
    const q = new WorkQueue({ random: () => 1 });
    q.addRateLimited("k");
    q.addRateLimited("k");

    q.forget("k");

    expect(q.failuresOf("k")).toBe(0);
    expect(q.addRateLimited("k")).toBe(500);
  });

  it("releases waiting workers without a key and stays usable", async () => {
    const q = new WorkQueue();
    const waiting = q.get();

    q.release();
    q.add("after");

    expect(await waiting).toBeUndefined();
    expect(await q.get()).toBe("after");
  });

  it("refuses keys after shutdown and drops pending delays", async () => {
    const q = new WorkQueue();
    q.addAfter("later", 100);

    q.shutdown();
    q.add("now");
    vi.advanceTimersByTime(200);

    expect(q.depth).toBe(0);
    expect(await q.get()).toBeUndefined();
  });
});
