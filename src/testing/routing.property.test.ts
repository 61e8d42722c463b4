import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Ingress } from "../model/kube-objects.ts";
import { buildDesiredGroup } from "../sources/ingress/build-group.ts";
import { sortBySeniority } from "../sources/ingress/groups/ingress-groups.ts";
import { REGEX_READINGS } from "./alb-match.oracle.ts";
import { type ExtraConditions, type Request, routeByAlb, routeBySpec } from "./routing.oracle.ts";
import { CONTEXT, endpointSlice, NS, service } from "./test-fixtures.ts";

const SERVICES = ["s1", "s2", "s3"];
const services = SERVICES.map((name) => service(name));
const slices = SERVICES.map((name, i) => endpointSlice(name, [{ ip: `10.0.0.${i + 1}` }]));

// Every member routes s3 only for requests with the header `X-Canary: on` (any case), as its
// `conditions.s3` annotation says; the spec matcher is told the same thing directly.
const CANARY = '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X-Canary","values":["on"]}}]';
const extra: ExtraConditions = new Map([
  [
    `${NS}/s3:80`,
    (r: Request) =>
      Object.entries(r.headers ?? {}).some(
        ([k, v]) => k.toLowerCase() === "x-canary" && v.toLowerCase() === "on",
      ),
  ],
]);

const hostArb = fc.constantFrom<string | undefined>(
  "a.example.com",
  "b.example.com",
  "*.example.com",
  "*.a.example.com",
  undefined,
);
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
          "alb.ingress.kubernetes.io/conditions.s3": CANARY,
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
  host: fc.constantFrom(
    "a.example.com",
    "A.Example.COM",
    "a.example.com:8443",
    "b.example.com",
    "B.EXAMPLE.COM:80",
    "c.example.com",
    "x.a.example.com",
    "X.A.example.com:8080",
    "x.y.a.example.com",
    "example.com",
    "a.example.org",
  ),
  path: fc.constantFrom("/", "/a", "/a/", "/a/b", "/a/b/c", "/ab", "/b", "/bb", "/c"),
  headers: fc.constantFrom({}, { "X-Canary": "on" }, { "x-canary": "ON" }, { "X-Canary": "off" }),
});

describe("routing: the ALB rules Gannet builds answer what the Ingress spec answers", () => {
  it("for generated groups and requests (Exact and Prefix; exact, wildcard and no hosts; Host headers with ports and any case; a header condition)", () => {
    fc.assert(
      fc.property(groupArb, fc.array(requestArb, { minLength: 1, maxLength: 8 }), (members, requests) => {
        const desired = buildDesiredGroup({
          group: "shop",
          members,
          services,
          endpointSlices: slices,
          context: CONTEXT,
        });
        // Expected: duplicates, conflicts (same host/path, a second default backend), and conditions.s3 on a member that does not
        // route a path to s3.
        const expected =
          /^(duplicate host\/path|conflicts with|no path of this Ingress|conditions do not apply)/;
        expect(desired.problems.filter((p) => !expected.test(p.message))).toEqual([]);
        const listener = desired.listeners[0];
        if (!listener) return;
        // Seniority (creationTimestamp, then name) decides conflicts: the oracle takes the oldest first.
        const ordered = sortBySeniority(members);
        for (const request of requests) {
          const spec = routeBySpec(ordered, request, extra);
          for (const reading of REGEX_READINGS) {
            const label = `${request.host}${request.path} ${JSON.stringify(request.headers)} (${reading})`;
            expect(routeByAlb(listener, request, reading), label).toBe(spec);
          }
        }
      }),
      { numRuns: 5000 },
    );
    // Thousands of generated cases: a budget for a busy 2-core machine, not a speed assertion.
  }, 120_000);
});
