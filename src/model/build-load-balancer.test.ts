import { describe, expect, it } from "vitest";
import { CONTEXT } from "../testing/test-fixtures.ts";
import { buildLoadBalancerModel } from "./build-load-balancer.ts";
import type { BackendDescription, GroupDescription, RouteDescription } from "./description.ts";
import { hostRegex } from "./listeners/alb-regex.ts";

// A description as a Gateway API front end would write it (no Ingress anywhere): one HTTPRoute with a
// canary split on a header, a regex path that redirects, a prefix rewritten before forwarding.
const healthCheck = {
  protocol: "HTTP",
  port: "traffic-port",
  path: "/",
  intervalSeconds: 15,
  timeoutSeconds: 5,
  healthyThresholdCount: 2,
  unhealthyThresholdCount: 2,
  matcher: "200",
} as const;

const backendOf = (key: string, ip: string): BackendDescription => ({
  key,
  targetGroup: { protocol: "HTTP", protocolVersion: "HTTP1", healthCheck },
  targets: [{ id: ip, port: 8080 }],
  tags: {},
  problems: [],
});

const route = (field: string, r: Omit<RouteDescription, "source" | "ports">): RouteDescription => ({
  source: { ingress: "shop/store", field },
  ports: [80],
  ...r,
});

const description: GroupDescription = {
  group: "shop/gateway",
  members: ["shop/store", "shop/legacy"],
  leftOut: [],
  seniority: ["shop/legacy", "shop/store"],
  loadBalancer: {
    scheme: "internet-facing",
    ipAddressType: "ipv4",
    subnetsStatedBy: [],
    inboundCidrs: ["0.0.0.0/0"],
    tags: {},
  },
  listeners: [{ port: 80, protocol: "HTTP" }],
  listenerAttributes: [],
  routes: [
    route("spec.rules[0]", {
      match: { host: "store.example.com", path: { kind: "prefix", value: "/" }, conditions: [] },
      action: { type: "forward", backends: [{ backend: "shop/web:80", weight: 1 }] },
      precedence: [0, -1],
    }),
    route("spec.rules[1]", {
      match: {
        host: "store.example.com",
        path: { kind: "prefix", value: "/cart" },
        conditions: [
          { kind: "header", name: "x-canary", match: { kind: "wildcard", values: ["true"] } },
          { kind: "method", methods: ["GET"] },
        ],
      },
      action: {
        type: "forward",
        backends: [
          { backend: "shop/cart:80", weight: 90 },
          { backend: "shop/cart-next:80", weight: 10 },
        ],
      },
      precedence: [0, -5],
    }),
    route("spec.rules[2]", {
      match: { host: "store.example.com", path: { kind: "regex", value: "^/v[0-9]+/old$" }, conditions: [] },
      action: { type: "redirect", statusCode: "HTTP_301", path: "/new" },
      precedence: [0, -10],
    }),
    route("spec.rules[3]", {
      match: { path: { kind: "exact", value: "/shop" }, conditions: [] },
      action: { type: "forward", backends: [{ backend: "shop/web:80", weight: 1 }] },
      transforms: [{ type: "url-rewrite", rewrites: [{ regex: "^/shop$", replace: "/" }] }],
      precedence: [1, -5],
    }),
    // The same host and path as rules[0], from the older member: it wins, rules[0] is dropped.
    {
      source: { ingress: "shop/legacy", field: "spec.rules[0]" },
      ports: [80],
      match: { host: "store.example.com", path: { kind: "prefix", value: "/" }, conditions: [] },
      action: { type: "fixed-response", statusCode: "200", contentType: "text/plain", messageBody: "legacy" },
      precedence: [0, -1],
    },
  ],
  backends: [
    backendOf("shop/web:80", "10.0.0.1"),
    backendOf("shop/cart:80", "10.0.0.2"),
    backendOf("shop/cart-next:80", "10.0.0.3"),
    backendOf("shop/unused:80", "10.0.0.4"),
  ],
  tls: [],
  hostnames: [],
  problems: [],
  ruleProblems: [],
};

describe("buildLoadBalancerModel: the ALB model from a description alone", () => {
  const built = buildLoadBalancerModel(description, { context: CONTEXT });
  const host = { field: "host-header", values: [], regexValues: [hostRegex("store.example.com")] };

  it("ranks rules by the routes' precedence and translates each match kind", () => {
    expect(built.listeners.map((l) => l.rules.map((r) => [r.order, r.source.field, r.conditions]))).toEqual([
      [
        [0, "spec.rules[2]", [host, { field: "path-pattern", values: [], regexValues: ["^/v[0-9]+/old$"] }]],
        [
          1,
          "spec.rules[1]",
          [
            host,
            { field: "path-pattern", values: ["/cart", "/cart/*"] },
            { field: "http-header", headerName: "x-canary", values: ["true"] },
            { field: "http-request-method", values: ["GET"] },
          ],
        ],
        [2, "spec.rules[0]", [host, { field: "path-pattern", values: ["/*"] }]],
        [3, "spec.rules[3]", [{ field: "path-pattern", values: ["/shop"] }]],
      ],
    ]);
  });

  it("keeps the older member's route where two claim the same match, with a Problem on the newer", () => {
    expect(built.listeners[0]?.rules[2]?.source).toEqual({ ingress: "shop/legacy", field: "spec.rules[0]" });
    expect(built.problems).toEqual([
      expect.objectContaining({
        ingress: "shop/store",
        field: "spec.rules[0]",
        message: expect.stringContaining("conflicts with shop/legacy spec.rules[0]"),
      }),
    ]);
  });

  it("turns actions into ALB actions: weighted forwards by target group key, redirects, rewrites", () => {
    const rules = built.listeners[0]?.rules ?? [];
    expect(rules.map((r) => r.actions)).toEqual([
      [{ type: "redirect", statusCode: "HTTP_301", path: "/new" }],
      [
        {
          type: "forward",
          targetGroups: [
            { targetGroup: "shop/cart:80", weight: 90 },
            { targetGroup: "shop/cart-next:80", weight: 10 },
          ],
        },
      ],
      [{ type: "fixed-response", statusCode: "200", contentType: "text/plain", messageBody: "legacy" }],
      [{ type: "forward", targetGroups: [{ targetGroup: "shop/web:80", weight: 1 }] }],
    ]);
    expect(rules[3]?.transforms).toEqual([
      { type: "url-rewrite", rewrites: [{ regex: "^/shop$", replace: "/" }] },
    ]);
  });

  it("builds a target group for each backend a rule uses, and none for the others", () => {
    expect(built.targetGroups.map((t) => [t.key, t.targets])).toEqual([
      ["shop/cart-next:80", [{ id: "10.0.0.3", port: 8080 }]],
      ["shop/cart:80", [{ id: "10.0.0.2", port: 8080 }]],
      ["shop/web:80", [{ id: "10.0.0.1", port: 8080 }]],
    ]);
  });

  it("skips a route whose match ALB cannot take, with a Problem at its source", () => {
    const bad = route("spec.rules[9]", {
      match: { path: { kind: "exact", value: "/a b" }, conditions: [] },
      action: { type: "fixed-response", statusCode: "200" },
      precedence: [2],
    });
    const model = buildLoadBalancerModel({ ...description, routes: [bad] }, { context: CONTEXT });
    expect(model.listeners[0]?.rules).toEqual([]);
    expect(model.problems).toEqual([
      {
        ingress: "shop/store",
        field: "spec.rules[9]",
        value: "/a b",
        message: `an ALB path pattern allows only letters, digits and _-.$/~"'@:+&*?; the route is skipped`,
        scope: "rule",
      },
    ]);
  });

  it("halts with the description's reason and changes nothing", () => {
    const halted = buildLoadBalancerModel({ ...description, halt: "join policy" }, { context: CONTEXT });
    expect(halted).toEqual({
      group: "shop/gateway",
      members: ["shop/store", "shop/legacy"],
      listeners: [],
      targetGroups: [],
      problems: [],
      halt: { reason: "join policy" },
    });
  });
});
