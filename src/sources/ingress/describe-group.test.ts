import { describe, expect, it } from "vitest";
import { buildLoadBalancerModel } from "../../model/build-load-balancer.ts";
import type { Ingress } from "../../model/kube-objects.ts";
import { backend, CONTEXT, endpointSlice, path, service, shopMember } from "../../testing/test-fixtures.ts";
import { buildDesiredGroup } from "./build-group.ts";
import { describeIngressGroup } from "./describe-group.ts";

const members = [
  shopMember("store", 1, {
    created: "2026-01-01T00:00:00Z",
    annotations: { "listen-ports": '[{"HTTP":80},{"HTTPS":443}]', "ssl-redirect": "443" },
    rules: [
      {
        host: "Store.Example.com",
        http: { paths: [path("/cart", "Prefix", backend("cart", 80)), path("/", "Prefix")] },
      },
    ],
  }),
  shopMember("docs", 2, {
    created: "2026-02-01T00:00:00Z",
    rules: [{ host: "docs.example.com", http: { paths: [path("/", "Prefix")] } }],
  }),
];
const [store, docs] = members as [Ingress, Ingress];
members[0] = { ...store, spec: { ...store.spec, tls: [{ hosts: ["store.example.com"] }] } };
const ttl = { "external-dns.alpha.kubernetes.io/ttl": "60" };
members[1] = {
  ...docs,
  metadata: { ...docs.metadata, annotations: { ...docs.metadata.annotations, ...ttl } },
};
const input = {
  group: "shop",
  members,
  services: [service("web"), service("cart")],
  endpointSlices: [endpointSlice("web", [{ ip: "10.0.0.1" }]), endpointSlice("cart", [{ ip: "10.0.0.2" }])],
};

describe("describeIngressGroup: the Ingress front end", () => {
  const description = describeIngressGroup(input);

  it("describes the group as plain data the ALB model builds from alone", () => {
    const plain = JSON.parse(JSON.stringify(description));
    expect(plain).toEqual(description);
    expect(buildLoadBalancerModel(plain, { context: CONTEXT })).toEqual(
      buildDesiredGroup({ ...input, context: CONTEXT }),
    );
  });

  it("describes listeners, routes with their precedence, backends, TLS hosts and hostnames", () => {
    expect(description.listeners).toEqual([
      { port: 80, protocol: "HTTP" },
      { port: 443, protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" },
    ]);
    expect(description.routes.map((r) => [r.source.field, r.match, r.precedence])).toEqual([
      [
        "spec.rules[0].http.paths[0]",
        { host: "store.example.com", path: { kind: "prefix", value: "/cart" }, conditions: [] },
        [0, -5, 1, 1],
      ],
      [
        "spec.rules[0].http.paths[1]",
        { host: "store.example.com", path: { kind: "prefix", value: "/" }, conditions: [] },
        [0, 0, 1, 1],
      ],
      [
        "spec.rules[0].http.paths[0]",
        { host: "docs.example.com", path: { kind: "prefix", value: "/" }, conditions: [] },
        [0, 0, 1, 1],
      ],
    ]);
    expect(description.backends.map((b) => [b.key, b.targets])).toEqual([
      ["apps/cart:80", [{ id: "10.0.0.2", port: 8080 }]],
      ["apps/web:80", [{ id: "10.0.0.1", port: 8080 }]],
    ]);
    expect(description.httpsRedirectPort).toBe(443);
    expect(description.seniority).toEqual(["apps/store", "apps/docs"]);
    expect(description.tls).toEqual([
      {
        member: "apps/store",
        hosts: [{ host: "store.example.com", field: "spec.tls[0].hosts[0]" }],
        problems: [],
      },
      { member: "apps/docs", hosts: [], problems: [] },
    ]);
    expect(description.hostnames).toEqual([
      {
        member: "apps/store",
        resource: "ingress/apps/store",
        hosts: [{ host: "store.example.com", field: "spec.rules[0].host" }],
        problems: [],
      },
      {
        member: "apps/docs",
        resource: "ingress/apps/docs",
        hosts: [{ host: "docs.example.com", field: "spec.rules[0].host" }],
        ttl: 60,
        problems: [],
      },
    ]);
  });
});
