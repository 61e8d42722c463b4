// A bad member cannot hurt the rest, for generated input: a newer member carrying hostile annotations
// (malformed JSON, wrong types, out-of-range numbers, unknown names, oversized and control-character
// values, Gannet's own tag keys) and routes to missing Services never makes the model throw, every
// Problem names a field, the value and a fix, and the older healthy member keeps exactly its rules.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DesiredGroup } from "../model/desired.ts";
import type { Ingress } from "../model/kube-objects.ts";
import { ANNOTATION } from "../sources/ingress/annotations/annotation-registry.ts";
import { buildDesiredGroup } from "../sources/ingress/build-group.ts";
import { CONTEXT, endpointSlice, NS, service } from "./test-fixtures.ts";

const SERVICES = ["web", "api"];
const services = SERVICES.map((name) => service(name));
const slices = SERVICES.map((name, i) => endpointSlice(name, [{ ip: `10.0.0.${i + 1}` }]));

const NAMES = [
  ...Object.values(ANNOTATION).filter((name) => !name.includes("<")),
  "actions.web",
  "actions.bad",
  "conditions.web",
  "conditions.api",
  "transforms.web",
  "listener-attributes.HTTP-80",
  "use-regex-path-match",
  "auth-type",
  "no-such-annotation",
];

const hostile = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.json({ maxDepth: 3 }),
  fc.constantFrom(
    "[{",
    '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"nope","servicePort":"x","weight":-1}]}}',
    '{"type":"fixed-response"}',
    '{"type":"redirect","redirectConfig":{"statusCode":"HTTP_418"}}',
    '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"","values":[]}}]',
    '[{"field":"source-ip","sourceIpConfig":{"values":["300.1.1.1/99"]}}]',
    '[{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[{"regex":"(","replace":"$9"}]}}]',
    "null",
    "-1",
    "99999999999999999999",
    "0x10",
    "true",
    "internet-facing",
    "dualstack",
    "gannet.io/cluster=evil,gannet.io/group=theirs",
    "10.0.0.0/33",
    '[{"HTTPS": 443}, {"HTTP": 443}]',
    "x".repeat(5000),
    "\u0000\u001f\u007f",
    "🦆.example.com",
    "$" + "{jndi:ldap://x}",
    "' OR 1=1 --",
  ),
);

const hostArb = fc.constantFrom(
  "bad.example.com",
  "good.example.com",
  "*.example.com",
  "UPPER.example.com",
  "-bad-.example.com",
  "a..b",
  "x".repeat(300),
);
const pathArb = fc.record({
  path: fc.constantFrom("/", "/a", "/a/", "a", "/static/*", "/ünïcode", "//", "/a b"),
  pathType: fc.constantFrom("Exact", "Prefix", "ImplementationSpecific", "Regex"),
  backend: fc.constantFrom(
    { service: { name: "web", port: { number: 80 } } },
    { service: { name: "missing", port: { number: 80 } } },
    { service: { name: "web", port: { name: "nope" } } },
    { service: { name: "bad", port: { name: "use-annotation" } } },
    { service: { name: "web", port: { number: 70000 } } },
  ),
});

const badArb: fc.Arbitrary<Ingress> = fc
  .record({
    annotations: fc.dictionary(fc.constantFrom(...NAMES), hostile, { maxKeys: 6 }),
    rules: fc.array(
      fc.record({ host: fc.option(hostArb, { nil: undefined }), paths: fc.array(pathArb, { maxLength: 3 }) }),
      {
        maxLength: 3,
      },
    ),
  })
  .map(({ annotations, rules }) => ({
    metadata: {
      namespace: NS,
      name: "bad",
      creationTimestamp: "2026-06-01T00:00:00Z",
      annotations: {
        ...Object.fromEntries(
          Object.entries(annotations).map(([k, v]) => [`alb.ingress.kubernetes.io/${k}`, v]),
        ),
        "alb.ingress.kubernetes.io/group.name": "shop",
      },
    },
    spec: {
      rules: rules.map((r) => ({ ...(r.host ? { host: r.host } : {}), http: { paths: r.paths } })),
    },
  }));

const good: Ingress = {
  metadata: {
    namespace: NS,
    name: "good",
    creationTimestamp: "2026-01-01T00:00:00Z",
    annotations: { "alb.ingress.kubernetes.io/group.name": "shop" },
  },
  spec: {
    rules: [
      {
        host: "good.example.com",
        http: {
          paths: [
            { path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } },
            { path: "/api", pathType: "Prefix", backend: { service: { name: "api", port: { number: 80 } } } },
          ],
        },
      },
    ],
  },
};

// The group's ALB exists already, so a setting only the bad member states is held, not halted.
const current = {
  name: "gannet-shop-current",
  scheme: "internal",
  ipAddressType: "ipv4",
  subnetIds: CONTEXT.subnets.slice(0, 2).map((s) => s.id),
  inboundCidrs: ["0.0.0.0/0"],
};
const build = (members: Ingress[]): DesiredGroup =>
  buildDesiredGroup({ group: "shop", members, services, endpointSlices: slices, context: CONTEXT, current });

/** The good member's rules as a set (conditions and actions), and its target groups. */
function goodPart(desired: DesiredGroup) {
  const rules = desired.listeners
    .filter((l) => l.port === 80)
    .flatMap((l) => l.rules)
    .filter((r) => r.source.ingress === `${NS}/good`)
    .map((r) => JSON.stringify([r.conditions, r.actions, r.transforms ?? []]))
    .sort();
  const used = new Set(rules.join("").match(/apps\/(web|api):80/g) ?? []);
  const targetGroups = desired.targetGroups.filter((t) => used.has(t.key)).map((t) => JSON.stringify(t));
  return { rules, targetGroups };
}

describe("bad input, generated: a hostile member next to a healthy one", () => {
  const alone = goodPart(build([good]));
  let tried = 0;
  let compared = 0;

  it("never throws, names field, value and fix, and leaves the healthy member's rules as they are", () => {
    fc.assert(
      fc.property(badArb, (bad) => {
        tried++;
        const desired = build([bad, good]);
        for (const p of desired.problems) {
          expect(p.field.length, JSON.stringify(p)).toBeGreaterThan(0);
          expect(p.message.length, JSON.stringify(p)).toBeGreaterThan(10);
          expect(typeof p.value).toBe("string");
          expect(p.value.length, "values are truncated in Events").toBeLessThanOrEqual(1100);
        }
        if (desired.halt) return;
        compared++;
        expect(goodPart(desired)).toEqual(alone);
      }),
      { numRuns: 3000 },
    );
    expect(tried).toBeGreaterThanOrEqual(3000);
    // Halting (AWS left as it is) is allowed, but must stay the exception.
    console.log(
      `bad input: ${tried} hostile members tried, ${compared} compared with the healthy member alone`,
    );
    expect(compared).toBeGreaterThan(tried * 0.8);
    // Thousands of generated cases: a budget for a busy 2-core machine, not a speed assertion.
  }, 120_000);
});
