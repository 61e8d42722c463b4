import { describe, expect, it } from "vitest";
import { ingress } from "../testing/test-fixtures.ts";
import { awsFence, fencedSink, NotLeaderError } from "./fence.ts";

describe("awsFence", () => {
  it.each([
    ["a read while not leader", "DescribeRules", false, false],
    ["a write while leader", "CreateRule", true, false],
    ["a write once not leader", "CreateRule", false, true],
    ["a tag removal once not leader", "RemoveTags", false, true],
  ])("%s: refused=%s", (_what, operation, leader, refused) => {
    const fence = awsFence(() => leader);

    const attempt = () => fence("ElasticLoadBalancingV2", operation, 1);

    if (refused) expect(attempt).toThrow(NotLeaderError);
    else expect(attempt).not.toThrow();
  });
});

describe("fencedSink", () => {
  function recorder() {
    const writes: string[] = [];
    const counted: string[] = [];
    const kube = {
      addFinalizer: async () => void writes.push("addFinalizer"),
      removeFinalizer: async () => void writes.push("removeFinalizer"),
      patchIngressStatus: async () => void writes.push("patchIngressStatus"),
      createEvent: async () => void writes.push("createEvent"),
    };
    return {
      writes,
      counted,
      count: (v: string, r: string, res: string) => void counted.push(`${v} ${r} ${res}`),
      kube,
    };
  }

  it("writes and counts while leader, skipping a finalizer already there", async () => {
    const r = recorder();
    const sink = fencedSink(r.kube, () => true, r.count);
    const held = ingress("a");

    await sink.addFinalizer(
      { ...held, metadata: { ...held.metadata, finalizers: ["gannet.io/resources"] } },
      "gannet.io/resources",
    );
    await sink.patchIngressStatus(held, "x.elb.amazonaws.com");

    expect(r.writes).toEqual(["patchIngressStatus"]);
    expect(r.counted).toEqual(["patch ingresses/status success"]);
  });

  it("refuses every Kubernetes write once not the leader", async () => {
    const r = recorder();
    const sink = fencedSink(r.kube, () => false, r.count);

    const results = await Promise.allSettled([
      sink.addFinalizer(ingress("a"), "gannet.io/resources"),
      sink.patchIngressStatus(ingress("a"), "x"),
      sink.createEvent({ ingress: ingress("a"), type: "Normal", reason: "R", message: "m", instance: "i" }),
    ]);

    expect(results.map((x) => x.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(r.writes).toEqual([]);
  });
});
