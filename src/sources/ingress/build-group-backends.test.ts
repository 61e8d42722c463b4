import { describe, expect, it } from "vitest";
import type { Ingress } from "../../model/kube-objects.ts";
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
const forward = (key: string) => ({ type: "forward", targetGroups: [{ targetGroup: key, weight: 1 }] });
const unavailable = (body: string) => ({
  type: "fixed-response",
  statusCode: "503",
  contentType: "text/plain",
  messageBody: body,
});
const NOT_FOUND = { type: "fixed-response", statusCode: "404", contentType: "text/plain" };

describe("buildDesiredGroup: backends", () => {
  it("answers 503 for a missing Service and a missing port, and builds no target group for them", () => {
    const desired = build([
      shop("a", 1, {
        rules: [
          {
            http: {
              paths: [
                path("/gone", "Exact", backend("gone", 80)),
                path("/port", "Exact", backend("web", 443)),
                path("/ok", "Exact"),
              ],
            },
          },
        ],
      }),
    ]);
    expect(desired.listeners[0]?.rules.map((r) => r.actions)).toEqual([
      [unavailable("Backend service apps/gone not found")],
      [unavailable("Backend service apps/web port 443 not found")],
      [forward("apps/web:80")],
    ]);
    expect(desired.targetGroups.map((t) => t.key)).toEqual(["apps/web:80"]);
    expect(desired.problems.map((p) => [p.field, p.scope])).toEqual([
      ["spec.rules[0].http.paths[0].backend.service.name", "rule"],
      ["spec.rules[0].http.paths[1].backend.service.port.number", "rule"],
    ]);
  });

  it("answers 503 when the Service's backend-protocol is invalid", () => {
    const desired = build([
      shop("a", 1, { rules: [{ http: { paths: [path("/", "Prefix", backend("grpc", 80))] } }] }),
    ]);
    expect(desired.listeners[0]?.rules[0]?.actions).toEqual([
      unavailable("Backend service apps/grpc is misconfigured"),
    ]);
    expect(desired.targetGroups).toEqual([]);
    expect(desired.problems.map((p) => p.field)).toEqual([
      "service/grpc.metadata.annotations['alb.ingress.kubernetes.io/backend-protocol']",
    ]);
  });

  it("takes a shared target group's settings from the first member and reports the ignored ones", () => {
    const desired = build([
      shop("a", 1, { annotations: { "healthcheck-path": "/a" } }),
      shop("b", 2, {
        annotations: { "healthcheck-path": "/b" },
        rules: [{ host: "b.example.com", http: { paths: [path("/", "Prefix")] } }],
      }),
    ]);
    expect(desired.targetGroups.map((t) => [t.key, t.healthCheck.path])).toEqual([["apps/web:80", "/a"]]);
    expect(desired.problems).toEqual([
      {
        ingress: "apps/b",
        field: "metadata.annotations['alb.ingress.kubernetes.io/healthcheck-path']",
        value: "/b",
        message: expect.stringContaining("takes its settings from apps/a, the oldest member"),
        scope: "rule",
      },
    ]);
  });

  it("gives an HTTPS target group port 443 and another name", () => {
    const https = build([shop("a", 1, { annotations: { "backend-protocol": "HTTPS" } })]).targetGroups[0];
    const http = build([shop("a", 1)]).targetGroups[0];
    expect([https?.protocol, https?.port, http?.protocol, http?.port]).toEqual(["HTTPS", 443, "HTTP", 80]);
    expect(https?.name).not.toBe(http?.name);
    expect(https?.name.length).toBeLessThanOrEqual(32);
  });
});

describe("buildDesiredGroup: default backend", () => {
  it("answers 404 without a default backend", () => {
    expect(build([shop("a", 1)]).listeners[0]?.defaultActions).toEqual([NOT_FOUND]);
  });

  it("forwards to the oldest member's default backend and reports a second one", () => {
    const desired = build([
      shop("b", 2, { defaultBackend: backend("web", 80), rules: [] }),
      shop("a", 1, { defaultBackend: backend("api", 80), rules: [] }),
    ]);
    expect(desired.listeners[0]?.defaultActions).toEqual([forward("apps/api:80")]);
    expect(desired.targetGroups.map((t) => t.key)).toEqual(["apps/api:80"]);
    expect(desired.problems).toEqual([
      {
        ingress: "apps/b",
        field: "spec.defaultBackend",
        value: "web",
        message: expect.stringContaining("conflicts with the default backend of apps/a, the oldest member"),
        scope: "rule",
      },
    ]);
  });

  it("keeps the older member's default backend when a newer one sorts first", () => {
    const desired = build([
      shop("a", 1, { defaultBackend: backend("web", 80), rules: [], created: "2026-05-01T00:00:00Z" }),
      shop("b", 2, { defaultBackend: backend("api", 80), rules: [], created: "2026-04-01T00:00:00Z" }),
    ]);
    expect(desired.listeners[0]?.defaultActions).toEqual([forward("apps/api:80")]);
    expect(desired.problems).toEqual([
      expect.objectContaining({ ingress: "apps/a", field: "spec.defaultBackend" }),
    ]);
  });

  it("serves the default backend only on its member's listeners", () => {
    const desired = build(
      [
        shop("a", 1, {
          annotations: { "listen-ports": '[{"HTTPS":443}]' },
          defaultBackend: backend("api", 80),
          rules: [],
        }),
        shop("b", 2),
      ],
      { certificateArns: ["arn:aws:acm:us-east-1:000000000000:certificate/c1"] },
    );
    expect(desired.listeners.map((l) => [l.port, l.defaultActions])).toEqual([
      [80, [NOT_FOUND]],
      [443, [forward("apps/api:80")]],
    ]);
  });

  it("answers 503 for a default backend whose Service is missing", () => {
    const desired = build([shop("a", 1, { defaultBackend: backend("gone", 80), rules: [] })]);
    expect(desired.listeners[0]?.defaultActions).toEqual([
      unavailable("Backend service apps/gone not found"),
    ]);
    expect(desired.problems.map((p) => p.field)).toEqual(["spec.defaultBackend.service.name"]);
  });
});
