import { describe, expect, it } from "vitest";
import type { Ingress } from "../../model/kube-objects.ts";
import { hostRegex } from "../../model/listeners/alb-regex.ts";
import {
  alb,
  backend,
  buildShop,
  endpointSlice,
  path,
  service,
  shopMember,
} from "../../testing/test-fixtures.ts";
import type { GroupInput } from "./build-group.ts";

const services = [
  service("web"),
  service("api"),
  service("grpc", undefined, alb({ "backend-protocol": "H2" })),
];
const slices = [endpointSlice("web", [{ ip: "10.0.0.1" }]), endpointSlice("api", [{ ip: "10.0.0.2" }])];
const build = (members: Ingress[], overrides: Partial<GroupInput> = {}) =>
  buildShop(members, { services, slices }, overrides);
const shop = shopMember;
const hostHeader = (host: string) => ({ field: "host-header", values: [], regexValues: [hostRegex(host)] });

describe("buildDesiredGroup: rule order", () => {
  it("orders by the spec's precedence, not YAML or member order: host, then longest path, then Exact; ties keep group order", () => {
    const desired = build([
      shop("later", 2, { rules: [{ host: "a.example.com", http: { paths: [path("/", "Prefix")] } }] }),
      shop("first", 1, {
        rules: [
          {
            host: "B.Example.com",
            http: {
              paths: [
                path("/img/*", "ImplementationSpecific"),
                path("/", "Prefix"),
                path("/api/v1", "Prefix"),
                path("/x", "Exact"),
              ],
            },
          },
          { http: { paths: [path(undefined, "ImplementationSpecific")] } },
        ],
      }),
    ]);
    const rules = desired.listeners[0]?.rules ?? [];
    const b = hostHeader("b.example.com");
    expect(rules.map((r) => [r.order, r.source.ingress, r.source.field, r.conditions])).toEqual([
      [
        0,
        "apps/first",
        "spec.rules[0].http.paths[2]",
        [b, { field: "path-pattern", values: ["/api/v1", "/api/v1/*"] }],
      ],
      [1, "apps/first", "spec.rules[0].http.paths[0]", [b, { field: "path-pattern", values: ["/img/*"] }]],
      [2, "apps/first", "spec.rules[0].http.paths[3]", [b, { field: "path-pattern", values: ["/x"] }]],
      [3, "apps/first", "spec.rules[0].http.paths[1]", [b, { field: "path-pattern", values: ["/*"] }]],
      [
        4,
        "apps/later",
        "spec.rules[0].http.paths[0]",
        [hostHeader("a.example.com"), { field: "path-pattern", values: ["/*"] }],
      ],
      [5, "apps/first", "spec.rules[1].http.paths[0]", [{ field: "path-pattern", values: ["/*"] }]],
    ]);
  });

  it("keeps the older of two identical host/path routes and reports the newer one", () => {
    const rules = [
      { host: "shop.example.com", http: { paths: [path("/cart", "Prefix", backend("api", 80))] } },
    ];
    const desired = build([
      shop("a", 1, { rules }),
      shop("b", 2, {
        rules: [...rules, { host: "shop.example.com", http: { paths: [path("/cart/", "Prefix")] } }],
      }),
    ]);
    expect(desired.listeners[0]?.rules.map((r) => r.source)).toEqual([
      { ingress: "apps/a", field: "spec.rules[0].http.paths[0]" },
    ]);
    expect(desired.problems).toEqual([
      {
        ingress: "apps/b",
        field: "spec.rules[0].http.paths[0]",
        value: "host-header=shop.example.com path-pattern=/cart,/cart/*",
        message:
          "conflicts with apps/a spec.rules[0].http.paths[0], which routes the same host and path and wins as the older Ingress; this path is dropped: remove it, or use another host or path",
        scope: "rule",
      },
      expect.objectContaining({ ingress: "apps/b", field: "spec.rules[1].http.paths[0]" }),
    ]);
  });

  it("gives a claimed host/path to the older Ingress, whatever its name or group order", () => {
    const rules = [
      { host: "shop.example.com", http: { paths: [path("/cart", "Prefix", backend("api", 80))] } },
    ];
    const desired = build([
      shop("a", 1, { rules, created: "2026-03-01T00:00:00Z" }),
      shop("z", 9, {
        rules: [{ host: "shop.example.com", http: { paths: [path("/cart", "Prefix", backend("web", 80))] } }],
        created: "2026-02-01T00:00:00Z",
      }),
    ]);
    expect(desired.listeners[0]?.rules.map((r) => [r.source.ingress, r.actions])).toEqual([
      ["apps/z", [{ type: "forward", targetGroups: [{ targetGroup: "apps/web:80", weight: 1 }] }]],
    ]);
    expect(desired.problems).toEqual([
      expect.objectContaining({
        ingress: "apps/a",
        message: expect.stringContaining("conflicts with apps/z spec.rules[0].http.paths[0]"),
      }),
    ]);
  });

  it("skips a rule with an invalid host and a path with an invalid path, keeping the rest", () => {
    const desired = build([
      shop("a", 1, {
        rules: [
          { host: "bad_host.example.com", http: { paths: [path("/", "Prefix")] } },
          { host: "ok.example.com", http: { paths: [path("nope", "Prefix"), path("/yes", "Exact")] } },
        ],
      }),
    ]);
    expect(desired.listeners[0]?.rules.map((r) => r.source.field)).toEqual(["spec.rules[1].http.paths[1]"]);
    expect(desired.problems.map((p) => [p.field, p.value, p.scope])).toEqual([
      ["spec.rules[0].host", "bad_host.example.com", "rule"],
      ["spec.rules[1].http.paths[0].path", "nope", "rule"],
    ]);
  });
});
