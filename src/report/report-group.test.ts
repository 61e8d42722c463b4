import { describe, expect, it } from "vitest";
import type { Ingress } from "../model/kube-objects.ts";
import { EventDeduper, REASON, type ReportSink, reportGroup } from "./report-group.ts";

function recordingSink() {
  const events: { type: string; reason: string; message: string }[] = [];
  const patched: (string | undefined)[] = [];
  const sink: ReportSink = {
    patchIngressStatus: async (_i, hostname) => {
      patched.push(hostname);
    },
    createEvent: async ({ type, reason, message }) => {
      events.push({ type, reason, message });
    },
  };
  return { sink, events, patched };
}

const ingress = (hostname: string): Ingress =>
  ({
    metadata: { namespace: "shop", name: "web", uid: "u1" },
    spec: {},
    status: { loadBalancer: { ingress: [{ hostname }] } },
  }) as Ingress;

describe("reportGroup: a recreated ALB", () => {
  it.each([
    { lost: true, events: [REASON.recreated, REASON.reconciled] },
    { lost: false, events: [REASON.reconciled] },
  ])("says Recreated only when the old address is gone (lost: $lost)", async ({ lost, events }) => {
    const { sink, events: sent, patched } = recordingSink();

    await reportGroup(sink, new EventDeduper(), {
      live: [ingress("old-1.elb.amazonaws.com")],
      hostname: "new-1.elb.amazonaws.com",
      applied: [{ kind: "createLoadBalancer" } as never],
      problems: [],
      instance: "test",
      ...(lost ? { lostAddresses: new Set(["old-1.elb.amazonaws.com"]) } : {}),
    });

    expect(patched).toEqual(["new-1.elb.amazonaws.com"]);
    expect(sent.map((e) => e.reason)).toEqual(events);
    if (lost) expect(sent[0]?.message).toContain("old-1.elb.amazonaws.com no longer exists");
  });
});
