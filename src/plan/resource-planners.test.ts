import { describe, expect, it } from "vitest";
import type { DesiredListener } from "../model/desired.ts";
import type { ObservedListener } from "../types/alb.ts";
import { planListeners } from "./resource-planners.ts";

const notFound = { type: "fixed-response", statusCode: "404", contentType: "text/plain" } as const;

function https(certificateArns: string[]): DesiredListener {
  return {
    port: 443,
    protocol: "HTTPS",
    defaultActions: [notFound],
    rules: [],
    sslPolicy: "P",
    certificateArns,
  };
}

function observed(certificateArns: string[]): ObservedListener {
  return {
    arn: "arn:l",
    port: 443,
    protocol: "HTTPS",
    defaultActions: [notFound],
    rules: [],
    sslPolicy: "P",
    certificateArns,
    owned: true,
  };
}

const arnOf = () => undefined;

describe("planListeners: certificates", () => {
  it.each([
    { want: ["a", "b", "c"], have: ["a", "b", "c"], kinds: [] },
    {
      want: ["a", "b", "c"],
      have: ["a", "b", "d"],
      kinds: ["addListenerCertificates:c", "removeListenerCertificates:d"],
    },
    {
      want: ["b", "a"],
      have: ["a", "b"],
      kinds: ["modifyListener:b", "addListenerCertificates:a"],
    },
    { want: ["a"], have: ["a", "x", "y"], kinds: ["removeListenerCertificates:x,y"] },
  ])("wants $want, has $have", ({ want, have, kinds }) => {
    const changes = planListeners([https(want)], [observed(have)], arnOf);

    expect(
      changes.map((c) =>
        c.kind === "modifyListener"
          ? `${c.kind}:${c.certificateArn}`
          : "certificateArns" in c
            ? `${c.kind}:${c.certificateArns.join(",")}`
            : c.kind,
      ),
    ).toEqual(kinds);
  });

  it("creates a new HTTPS listener with its default certificate, then adds the others", () => {
    const changes = planListeners([https(["a", "b"])], [], arnOf);

    expect(changes).toEqual([
      expect.objectContaining({ kind: "createListener", port: 443, certificateArn: "a", sslPolicy: "P" }),
      { kind: "addListenerCertificates", port: 443, certificateArns: ["b"] },
    ]);
  });
});
