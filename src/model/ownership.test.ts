import { describe, expect, it } from "vitest";
import {
  buildOwnershipTags,
  checkUserTag,
  groupTagValue,
  isOwnedBy,
  isOwnedByCluster,
  mergeUserTags,
  TAG,
} from "./ownership.ts";

describe("checkUserTag", () => {
  it.each([
    ["team", "web"],
    ["équipe", "café crème"],
    ["k", ""],
    ["a_b.c:d/e=f+g-h@i", "1 2 3"],
    ["k".repeat(128), "v".repeat(256)],
    ["k", "é".repeat(256)],
  ])("accepts %j=%j", (key, value) => {
    expect(checkUserTag(key, value)).toBeUndefined();
  });

  it.each([
    ["", "v", "must have 1 to 128 characters"],
    ["k".repeat(129), "v", "must have 1 to 128 characters"],
    ["k", "v".repeat(257), "at most 256 characters (it has 257)"],
    ["k", "line\nbreak", 'tag value "line\\nbreak" may hold only'],
    ["k\u0000", "v", "tag key"],
    ["k", "\u001b[31mred", "may hold only"],
    ["k", "\u202egnp.exe", "may hold only"],
    ["k", "🦆", "may hold only"],
    ["k", "a,b", "may hold only"],
    ["k", '"quoted"', "may hold only"],
    ["aws:createdBy", "me", 'the "aws:" prefix'],
    ["AWS:x", "me", 'the "aws:" prefix'],
  ])("refuses %j=%j", (key, value, message) => {
    expect(checkUserTag(key, value)).toContain(message);
  });
});

describe("groupTagValue", () => {
  it.each(["shop", "apps/web", `${"n".repeat(63)}/${"i".repeat(192)}`])("keeps %j as it is", (group) => {
    expect(groupTagValue(group)).toBe(group);
  });

  it("keeps a 317-character implicit key within 256 characters, stable and distinct", () => {
    const a = `${"n".repeat(63)}/${"i".repeat(253)}`;
    const b = `${"n".repeat(63)}/${"i".repeat(252)}j`;

    expect(groupTagValue(a)).toHaveLength(256);
    expect(groupTagValue(a)).toBe(groupTagValue(a));
    expect(groupTagValue(a)).not.toBe(groupTagValue(b));
    expect(checkUserTag(TAG.group, groupTagValue(a))).toBeUndefined();
  });

  it("is what ownership tags carry and what ownership checks compare", () => {
    const owner = { cluster: "prod", group: `${"n".repeat(63)}/${"i".repeat(253)}` };
    const tags = buildOwnershipTags(owner, "load-balancer");

    expect(tags[TAG.group]).toBe(groupTagValue(owner.group));
    expect(isOwnedBy(tags, owner)).toBe(true);
    expect(isOwnedBy(tags, { ...owner, group: `${owner.group}x` })).toBe(false);
  });
});

describe("ownership checks", () => {
  it.each([
    [{}, false],
    [{ [TAG.group]: "shop" }, false],
    [{ [TAG.cluster]: "prod" }, false],
    [{ [TAG.cluster]: "staging", [TAG.group]: "shop" }, false],
    [{ [TAG.cluster]: "Prod", [TAG.group]: "shop" }, false],
    [{ [TAG.cluster]: "prod", [TAG.group]: "shop" }, true],
  ])("%j belongs to cluster prod: %s", (tags, owned) => {
    expect(isOwnedByCluster(tags, "prod")).toBe(owned);
    expect(isOwnedBy(tags, { cluster: "prod", group: "shop" })).toBe(owned);
  });

  it("never lets user tags claim ownership, whatever the case of the prefix", () => {
    const merged = mergeUserTags(buildOwnershipTags({ cluster: "prod", group: "shop" }, "target-group"), {
      "gannet.io/cluster": "other",
      "Gannet.io/group": "other",
      "GANNET.IO/resource": "x",
      team: "web",
    });

    expect(merged.refused.sort()).toEqual(["GANNET.IO/resource", "Gannet.io/group", "gannet.io/cluster"]);
    expect(merged.tags).toEqual({
      [TAG.cluster]: "prod",
      [TAG.group]: "shop",
      [TAG.resource]: "target-group",
      team: "web",
    });
  });
});
