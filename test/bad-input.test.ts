// Bad input, generated, at the Event level: a table generator makes a few hundred invalid Ingresses
// (malformed JSON, wrong types, out-of-range numbers, unknown names, oversized values, control characters,
// hostile strings in tags and hosts, missing backends) and applies them to the real API server (those it
// refuses are counted apart). Reconciles then run over all of them, a few dozen per group: nothing
// throws, every Problem reaches its Ingress as a Warning Event naming the field and the value with a
// fix, and a healthy Ingress's ALB, listeners, rules and target groups stay exactly as they were.

import type { V1Ingress } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatProblem } from "../src/report/report-group.ts";
import { Scenario } from "./support/scenario.ts";
import { allLoadBalancers, awsClients, uniqueSuffix } from "./support/testbed.ts";
import { noTraps, readTraps, seededZoneId } from "./support/traps.ts";

const aws = awsClients();
const ALB = "alb.ingress.kubernetes.io/";
const DNS = "external-dns.alpha.kubernetes.io/";

// Annotations, each given every hostile value below.
const ANNOTATIONS = [
  `${ALB}scheme`,
  `${ALB}ip-address-type`,
  `${ALB}listen-ports`,
  `${ALB}inbound-cidrs`,
  `${ALB}subnets`,
  `${ALB}load-balancer-attributes`,
  `${ALB}target-group-attributes`,
  `${ALB}healthcheck-interval-seconds`,
  `${ALB}healthy-threshold-count`,
  `${ALB}success-codes`,
  `${ALB}target-type`,
  `${ALB}backend-protocol`,
  `${ALB}healthcheck-path`,
  `${ALB}group.order`,
  `${ALB}group.name`,
  `${ALB}tags`,
  `${ALB}certificate-arn`,
  `${ALB}wafv2-acl-arn`,
  `${ALB}ssl-redirect`,
  `${ALB}conditions.web`,
  `${ALB}transforms.web`,
  `${DNS}hostname`,
  `${DNS}ttl`,
];

const HOSTILE = [
  "[{", // malformed JSON
  '{"HTTP":"eighty"}', // wrong types
  "-1",
  "99999999999999999999",
  "0x10",
  "\u0000\u001f\u007f", // control characters
  "🦆.example.com",
  "$" + "{jndi:ldap://x}",
  "' OR 1=1 --",
  "x".repeat(5000), // oversized
  "gannet.io/cluster=evil,gannet.io/group=theirs", // claiming Gannet's ownership tags
  "10.0.0.0/33",
];

// Spec-level bad input: hosts (the API server validates spec.rules[].host, not TLS hosts), paths, backends.
type Spec = Partial<NonNullable<V1Ingress["spec"]>>;
const route = (
  host: string | undefined,
  path: string,
  pathType: string,
  service = "web",
  port: object = { number: 80 },
) => ({
  ...(host !== undefined ? { host } : {}),
  http: { paths: [{ path, pathType, backend: { service: { name: service, port } } }] },
});
const SPECS: readonly (readonly [string, (host: string) => Spec])[] = [
  ["rule host with a duck", () => ({ rules: [route("🦆.example.com", "/", "Prefix")] })],
  [
    "rule host of 300 characters",
    () => ({ rules: [route(`${"x".repeat(300)}.example.com`, "/", "Prefix")] }),
  ],
  ["rule host with a control character", () => ({ rules: [route("a\u0007b.example.com", "/", "Prefix")] })],
  [
    "TLS host with a duck",
    (h) => ({ tls: [{ hosts: ["🦆.example.com"] }], rules: [route(h, "/", "Prefix")] }),
  ],
  [
    "TLS host of 300 characters",
    (h) => ({ tls: [{ hosts: ["y".repeat(300)] }], rules: [route(h, "/", "Prefix")] }),
  ],
  [
    "TLS host with a space",
    (h) => ({ tls: [{ hosts: ["a b.example.com"] }], rules: [route(h, "/", "Prefix")] }),
  ],
  ["relative path", (h) => ({ rules: [route(h, "api", "ImplementationSpecific")] })],
  ["path with a space", (h) => ({ rules: [route(h, "/a b", "ImplementationSpecific")] })],
  ["path of 2000 characters", (h) => ({ rules: [route(h, `/${"p".repeat(2000)}`, "Prefix")] })],
  ["missing Service", (h) => ({ rules: [route(h, "/", "Prefix", "missing")] })],
  ["missing port name", (h) => ({ rules: [route(h, "/", "Prefix", "web", { name: "nope" })] })],
  ["port out of range", (h) => ({ rules: [route(h, "/", "Prefix", "web", { number: 70000 })] })],
  [
    "use-annotation without an action",
    (h) => ({ rules: [route(h, "/", "Prefix", "web", { name: "use-annotation" })] }),
  ],
];

interface Case {
  readonly name: string;
  readonly what: string;
  readonly ingress: V1Ingress;
}

/** Every case: each annotation with each hostile value, then the spec cases. */
function generateCases(id: string): Case[] {
  const cases: Case[] = [];
  const host = (i: number) => `b${i}.bad-${id}.example.org`;
  // One group per annotation (a dozen Ingresses): one reconcile serves many of them, and a member whose
  // group-wide setting halts its group (subnets that do not exist) halts only Ingresses as bad as itself.
  const base = (i: number, annotations: Record<string, string>, spec: Spec): V1Ingress => ({
    metadata: {
      name: `bad-${i}`,
      annotations: { [`${ALB}group.name`]: `bad-${id}-${Math.floor(i / HOSTILE.length)}`, ...annotations },
    },
    spec: { ingressClassName: "gannet", rules: [route(host(i), "/", "Prefix")], ...spec },
  });
  for (const annotation of ANNOTATIONS) {
    for (const value of HOSTILE) {
      const i = cases.length;
      cases.push({
        name: `bad-${i}`,
        what: `${annotation}=${JSON.stringify(value.slice(0, 40))}`,
        ingress: base(i, { [annotation]: value }, {}),
      });
    }
  }
  for (const [what, spec] of SPECS) {
    const i = cases.length;
    cases.push({ name: `bad-${i}`, what, ingress: base(i, {}, spec(host(i))) });
  }
  return cases;
}

describe("generated bad input, applied to the API server and reconciled", () => {
  const s = new Scenario();
  const id = uniqueSuffix();
  const cases = generateCases(id);
  const created: Case[] = [];
  const refused: { case: Case; reason: string }[] = [];
  const healthy = noTraps("");
  let before: unknown;

  beforeAll(async () => {
    await s.setUp();
    await s.putBackend({ name: "web", ready: ["10.20.12.10"] });
    await s.putIngress({
      metadata: { name: "healthy", annotations: { [`${ALB}group.name`]: `healthy-${id}` } },
      spec: {
        ingressClassName: "gannet",
        rules: [route(`healthy.bad-${id}.gannet.example.com`, "/", "Prefix")],
      },
    });
    const { outcomes } = await s.reconcile();
    expect(outcomes.map((o) => o.error)).toEqual([undefined]);
    const hostname = (await s.getIngress("healthy"))?.status?.loadBalancer?.ingress?.[0]?.hostname;
    const lb = (await allLoadBalancers(aws.elbv2)).find((l) => l.DNSName === hostname);
    healthy.loadBalancers.push(lb?.LoadBalancerArn ?? "");
    const tgs = await s.rt.aws.elbv2.listTargetGroups();
    healthy.targetGroups.push(
      ...tgs.filter((t) => t.tags["gannet.io/cluster"] === s.cluster).map((t) => t.arn),
    );
    healthy.records.zoneId = await seededZoneId(aws);
    healthy.records.names.push(
      `healthy.bad-${id}.gannet.example.com`,
      `a-healthy.bad-${id}.gannet.example.com`,
    );
    before = await readTraps(aws, healthy);
    for (const c of cases) {
      try {
        await s.kube.networking.createNamespacedIngress({ namespace: s.namespace, body: c.ingress });
        created.push(c);
      } catch (err) {
        const body = (err as { body?: string }).body ?? String(err);
        refused.push({ case: c, reason: body.slice(0, 120) });
      }
    }
  });
  afterAll(() => s.tearDown());

  it("reconciles them all without a crash, warns each bad Ingress with the field, the value and a fix, and leaves the healthy ALB as it was", async () => {
    const first = await s.reconcile();
    const second = await s.reconcile();
    const outcomes = [...first.outcomes, ...second.outcomes];

    // No crash: a reconcile that threw comes back as a failed outcome with no model at all.
    const crashes = outcomes.filter(
      (o) => o.error && o.desired.members.length === 0 && o.desired.problems.length === 0,
    );
    expect(crashes.map((o) => `${o.group}: ${o.error}`)).toEqual([]);

    const problems = second.outcomes.flatMap((o) => o.problems ?? o.desired.problems);
    const events = (await s.kube.core.listNamespacedEvent({ namespace: s.namespace })).items.filter(
      (e) => e.type === "Warning" && e.involvedObject.kind === "Ingress",
    );
    const warningsOf = (name: string) =>
      events.filter((e) => e.involvedObject.name === name).map((e) => e.message ?? "");
    const silent: string[] = [];
    let warned = 0;
    for (const c of created) {
      const own = problems.filter((p) => p.ingress === `${s.namespace}/${c.name}`);
      if (own.length === 0) {
        silent.push(c.what);
        continue;
      }
      warned++;
      const messages = warningsOf(c.name);
      for (const p of own) {
        // `<field>: <what is wrong and the fix> (value: "<value received>")`, whole within an Event.
        const text = formatProblem(p);
        expect(messages, `${c.what}: no Warning for ${p.field}: ${p.message}`).toContain(text);
        expect(text.startsWith(`${p.field}: `) && text.includes("(value: ")).toBe(true);
        expect(p.message.length, `${c.what}: ${p.message}`).toBeGreaterThan(20);
      }
    }
    console.log(
      `bad input: ${cases.length} generated, ${refused.length} refused by the API server, ${created.length} applied, ` +
        `${warned} warned on their Ingress, ${silent.length} found valid after all (${silent.join("; ")}); ` +
        `${outcomes.filter((o) => o.error).length} reconcile(s) ended with an AWS error, none threw`,
    );
    expect(created.length).toBeGreaterThan(250);
    expect(warned).toBe(created.length - silent.length);
    // Hostile values Gannet takes as valid are few, and valid indeed (a number where any number will do).
    expect(silent.length, silent.join("\n")).toBeLessThanOrEqual(5);

    expect(await readTraps(aws, healthy)).toEqual(before);
  });
});
