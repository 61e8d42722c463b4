import { describe, expect, it } from "vitest";
import { alb, ingress } from "../../../testing/test-fixtures.ts";
import { groupIngresses, groupKeyOf, sortGroupMembers } from "./ingress-groups.ts";

const names = (ings: readonly { metadata: { namespace: string; name: string } }[]) =>
  ings.map((i) => `${i.metadata.namespace}/${i.metadata.name}`);

describe("groupKeyOf", () => {
  it.each([
    ["no group.name → implicit key", {}, "apps/a"],
    ["a valid group.name", { "group.name": "shop" }, "shop"],
    ["a name with dots and hyphens", { "group.name": "team-a.shop-1" }, "team-a.shop-1"],
    ["a 63-character name", { "group.name": "a".repeat(63) }, "a".repeat(63)],
    ["uppercase → implicit", { "group.name": "Shop" }, "apps/a"],
    ["leading hyphen → implicit", { "group.name": "-shop" }, "apps/a"],
    ["trailing dot → implicit", { "group.name": "shop." }, "apps/a"],
    ["64 characters → implicit", { "group.name": "a".repeat(64) }, "apps/a"],
    ["slash → implicit", { "group.name": "a/b" }, "apps/a"],
    ["valid name but invalid order → implicit", { "group.name": "shop", "group.order": "1001" }, "apps/a"],
  ])("%s", (_, annotations, key) => {
    expect(groupKeyOf(ingress("a", { annotations: alb(annotations) }))).toBe(key);
  });
});

describe("sortGroupMembers", () => {
  it("orders by group.order, then namespace/name; the default order is 0", () => {
    const members = [
      ingress("z", { annotations: alb({ "group.order": "-5" }) }),
      ingress("b"),
      ingress("a", { namespace: "other" }),
      ingress("a"),
      ingress("c", { annotations: alb({ "group.order": "1000" }) }),
      ingress("d", { annotations: alb({ "group.order": "-1000" }) }),
    ];
    expect(names(sortGroupMembers(members))).toEqual([
      "apps/d",
      "apps/z",
      "apps/a",
      "apps/b",
      "other/a",
      "apps/c",
    ]);
  });
});

describe("groupIngresses", () => {
  it("groups explicit members together and keeps the rest apart, groups in key order", () => {
    const groups = groupIngresses([
      ingress("front", { annotations: alb({ "group.name": "shop", "group.order": "10" }) }),
      ingress("solo"),
      ingress("cart", { annotations: alb({ "group.name": "shop", "group.order": "5" }) }),
    ]);
    expect([...groups.keys()]).toEqual(["apps/solo", "shop"]);
    expect(names(groups.get("shop")?.members ?? [])).toEqual(["apps/cart", "apps/front"]);
    expect(groups.get("shop")?.problems).toEqual([]);
  });

  it.each([
    ["group.name", { "group.name": "Shop" }, "Shop", "must be lowercase letters, digits"],
    [
      "group.order",
      { "group.name": "shop", "group.order": "1001" },
      "1001",
      "must be a whole number from -1000 to 1000",
    ],
    [
      "group.order",
      { "group.name": "shop", "group.order": "first" },
      "first",
      "must be a whole number from -1000 to 1000",
    ],
  ])(
    "an invalid %s keeps the Ingress in its own group with a member Problem",
    (annotation, annotations, value, message) => {
      const groups = groupIngresses([
        ingress("bad", { annotations: alb(annotations) }),
        ingress("good", { annotations: alb({ "group.name": "shop" }) }),
      ]);
      expect(names(groups.get("shop")?.members ?? [])).toEqual(["apps/good"]);
      const own = groups.get("apps/bad");
      expect(names(own?.members ?? [])).toEqual(["apps/bad"]);
      expect(own?.problems).toEqual([
        {
          ingress: "apps/bad",
          field: `metadata.annotations['alb.ingress.kubernetes.io/${annotation}']`,
          value,
          message: expect.stringContaining(message),
          scope: "member",
        },
      ]);
    },
  );
});
