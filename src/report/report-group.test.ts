import { describe, expect, it } from "vitest";
import type { Ingress } from "../model/kube-objects.ts";
import { createProblem } from "../model/problems.ts";
import {
  EventDeduper,
  formatProblem,
  MAX_EVENT_MESSAGE,
  REASON,
  type ReportSink,
  reportGroup,
} from "./report-group.ts";

const field = "metadata.annotations['alb.ingress.kubernetes.io/inbound-cidrs']";

describe("formatProblem", () => {
  it("names the field, the fix and the value", () => {
    expect(
      formatProblem({
        ingress: "apps/web",
        field,
        value: "10.0.0.0/33",
        message: "must be a CIDR like 10.0.0.0/8",
        scope: "member",
      }),
    ).toBe(`${field}: must be a CIDR like 10.0.0.0/8 (value: "10.0.0.0/33")`);
  });

  it.each([
    [
      "a 5,000-character value the message quotes",
      "x".repeat(5000),
      (v: string) => `${JSON.stringify(v)} is not a CIDR`,
    ],
    ["a long message", "10.0.0.0/33", () => `${"because ".repeat(300)}fix: use a CIDR like 10.0.0.0/8`],
    [
      "200 escaped control characters",
      "\u0000".repeat(300),
      () => "must be a CIDR; fix: use one like 10.0.0.0/8",
    ],
  ])("fits an Event with %s, keeping the field, the end of the fix and the value", (_, raw, message) => {
    const p = createProblem({
      ingress: "apps/web",
      field,
      value: raw,
      message: message(raw),
      scope: "member",
    });

    const text = formatProblem(p);

    expect(text.length).toBeLessThanOrEqual(MAX_EVENT_MESSAGE);
    expect(text.startsWith(`${field}: `)).toBe(true);
    expect(text).toContain("(value: ");
    expect(text).toMatch(/(CIDR|10\.0\.0\.0\/8)/);
  });

  it("replaces a lone surrogate (half an emoji) as the API server would", () => {
    const text = formatProblem({
      ingress: "apps/web",
      field,
      value: "🦆".slice(0, 1),
      message: "Unexpected token '\uD83E'",
      scope: "member",
    });

    // JSON.stringify escapes a lone surrogate in the value (`\ud83e`), which stays readable.
    expect(text).toBe(`${field}: Unexpected token '\uFFFD' (value: "\\ud83e")`);
  });
});

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
