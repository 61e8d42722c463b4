import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildDesiredGroup } from "./build-group.ts";
import { sortBySeniority } from "./ingress-groups.ts";
import type { Ingress } from "./kube-objects.ts";
import { type Request, routeByAlb, routeBySpec } from "./routing.oracle.ts";
import { CONTEXT, endpointSlice, NS, service } from "./test-fixtures.ts";

const SERVICES = ["s1", "s2", "s3"];
const services = SERVICES.map((name) => service(name));
const slices = SERVICES.map((name, i) => endpointSlice(name, [{ ip: `10.0.0.${i + 1}` }]));

const hostArb = fc.constantFrom<string | undefined>("a.example.com", "b.example.com", undefined);
const pathArb = fc.constantFrom("/", "/a", "/a/", "/a/b", "/ab", "/b", "/a/b/");
const httpPathArb = fc.record({
  path: pathArb,
  pathType: fc.constantFrom("Exact", "Prefix"),
  backend: fc.constantFrom(...SERVICES).map((name) => ({ service: { name, port: { number: 80 } } })),
});
const ruleArb = fc.record({ host: hostArb, paths: fc.array(httpPathArb, { minLength: 1, maxLength: 4 }) });

function ingressArb(name: string): fc.Arbitrary<Ingress> {
  return fc
    .record({
      order: fc.integer({ min: -2, max: 2 }),
      // Few distinct times, so equal ones (decided by name) come up too.
      created: fc.constantFrom("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z"),
      rules: fc.array(ruleArb, { minLength: 0, maxLength: 3 }),
      defaultBackend: fc.option(fc.constantFrom(...SERVICES), { nil: undefined }),
    })
    .map(({ order, created, rules, defaultBackend }) => ({
      metadata: {
        namespace: NS,
        name,
        creationTimestamp: created,
        annotations: {
          "alb.ingress.kubernetes.io/group.name": "shop",
          "alb.ingress.kubernetes.io/group.order": String(order),
        },
      },
      spec: {
        ...(defaultBackend
          ? { defaultBackend: { service: { name: defaultBackend, port: { number: 80 } } } }
          : {}),
        rules: rules.map((r) => ({
          ...(r.host ? { host: r.host } : {}),
          http: { paths: r.paths },
        })),
      },
    }));
}

const groupArb = fc.tuple(ingressArb("i1"), ingressArb("i2"), ingressArb("i3"));
const requestArb = fc.record({
  // No port in the Host header yet: ALB globs never match one; that needs RegexValues (fidelity work).
  host: fc.constantFrom("a.example.com", "A.Example.COM", "b.example.com", "c.example.com"),
  path: fc.constantFrom("/", "/a", "/a/", "/a/b", "/a/b/c", "/ab", "/b", "/bb", "/c"),
});

describe("routing: the ALB rules Gannet builds answer what the Ingress spec answers", () => {
  it("for generated groups and requests (Exact and Prefix, exact hosts and none)", () => {
    fc.assert(
      fc.property(groupArb, fc.array(requestArb, { minLength: 1, maxLength: 8 }), (members, requests) => {
        const desired = buildDesiredGroup({
          group: "shop",
          members,
          services,
          endpointSlices: slices,
          context: CONTEXT,
        });
        const listener = desired.listeners[0];
        if (!listener) return;
        // Seniority (creationTimestamp, then name) decides conflicts: the oracle takes the oldest first.
        const ordered = sortBySeniority(members);
        for (const request of requests as Request[]) {
          const spec = routeBySpec(ordered, request);
          expect(routeByAlb(listener, request), `${request.host}${request.path}`).toBe(spec);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
