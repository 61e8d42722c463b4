import type { V1Lease } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { isFree } from "./simple-lease-lock.ts";

const now = new Date("2026-05-04T10:00:00Z");
function lease(spec: V1Lease["spec"]): V1Lease {
  return { metadata: { name: "gannet", namespace: "kube-system" }, ...(spec ? { spec } : {}) };
}
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);

describe("isFree", () => {
  it.each([
    ["nobody holds it", lease({}), true],
    [
      "the holder gave it back",
      lease({ holderIdentity: "", renewTime: ago(1), leaseDurationSeconds: 60 }),
      true,
    ],
    ["we hold it", lease({ holderIdentity: "me", renewTime: ago(1), leaseDurationSeconds: 60 }), true],
    [
      "another holder renewed it within its duration",
      lease({ holderIdentity: "ctl-0", renewTime: ago(10), leaseDurationSeconds: 15 }),
      false,
    ],
    [
      "another holder let it lapse",
      lease({ holderIdentity: "ctl-0", renewTime: ago(16), leaseDurationSeconds: 15 }),
      true,
    ],
    [
      "another holder acquired it and never renewed, within its duration",
      lease({ holderIdentity: "ctl-0", acquireTime: ago(5), leaseDurationSeconds: 15 }),
      false,
    ],
  ])("%s", (_, l, free) => {
    expect(isFree(l, "me", now)).toBe(free);
  });
});
