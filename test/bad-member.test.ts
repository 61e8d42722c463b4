// A bad member cannot hurt the rest, on the real testbed. Several kinds of bad input inside one group
// of healthy members: each bad Ingress gets a Warning naming the field, the value and the fix; its
// rules keep their last good state; the healthy members converge as if it were absent; deleting it still
// works. (AWS Load Balancer Controller fails the whole group on any of these.)

import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  type Rule,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { V1Ingress } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostOfRule } from "./support/alb-evaluator.ts";
import { Scenario } from "./support/scenario.ts";
import { allLoadBalancers, awsClients } from "./support/testbed.ts";

const aws = awsClients();
const DOMAIN = "gannet.example.com";

interface PathSpec {
  readonly path: string;
  readonly service: string;
  readonly pathType?: string;
}

describe("a bad member inside a group of healthy ones", () => {
  const s = new Scenario();
  const group = `mixed-${s.namespace}`;
  const member = (
    name: string,
    paths: readonly PathSpec[],
    annotations: Record<string, string> = {},
  ): V1Ingress => ({
    metadata: { name, annotations: { "alb.ingress.kubernetes.io/group.name": group, ...annotations } },
    spec: {
      ingressClassName: "gannet",
      rules: [
        {
          host: `${name}.${DOMAIN}`,
          http: {
            paths: paths.map((p) => ({
              path: p.path,
              pathType: p.pathType ?? "Prefix",
              backend: { service: { name: p.service, port: { number: 80 } } },
            })),
          },
        },
      ],
    },
  });
  let lbArn = "";
  let before: Map<string, string> = new Map();

  /** Every rule of the group's ALB as `host path` → its actions, as AWS holds them. */
  async function rules(): Promise<Map<string, string>> {
    const lbs = (await aws.elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [lbArn] })))
      .LoadBalancers;
    const listeners =
      (
        await aws.elbv2.send(
          new DescribeListenersCommand({ LoadBalancerArn: lbs?.[0]?.LoadBalancerArn ?? "" }),
        )
      ).Listeners ?? [];
    const all: Rule[] = [];
    for (const l of listeners)
      all.push(
        ...((await aws.elbv2.send(new DescribeRulesCommand({ ListenerArn: l.ListenerArn ?? "" }))).Rules ??
          []),
      );
    const key = (r: Rule) =>
      `${hostOfRule(r)} ${r.Conditions?.find((c) => c.Field === "path-pattern")?.PathPatternConfig?.Values?.join(",")}`;
    return new Map(all.filter((r) => !r.IsDefault).map((r) => [key(r), JSON.stringify(r.Actions)]));
  }
  const warnings = async (name: string) =>
    (await s.events(name))
      .filter((e) => e.type === "Warning")
      .map((e) => e.message ?? "")
      .join("\n");

  beforeAll(async () => {
    await s.setUp();
    for (const name of ["web", "api", "docs"])
      await s.putBackend({ name, ready: [`10.20.5.${name.length}`] });
    await s.putIngress(member("alpha", [{ path: "/", service: "web" }]));
    await s.putIngress(
      member("gamma", [{ path: "/", service: "web" }], {
        "alb.ingress.kubernetes.io/scheme": "internet-facing",
      }),
    );
    await s.putIngress(member("delta", [{ path: "/", service: "api" }]));
    await s.putIngress(member("epsilon", [{ path: "/", service: "docs" }]));
    await s.putIngress(member("zeta", [{ path: "/", service: "api" }]));
    const { outcomes } = await s.reconcile();
    expect(outcomes.map((o) => o.error)).toEqual([undefined]);
    lbArn =
      (await allLoadBalancers(aws.elbv2))?.find((l) => l.DNSName === outcomes[0]?.hostname)
        ?.LoadBalancerArn ?? "";
    before = await rules();
  });
  afterAll(() => s.tearDown());

  it("keeps each bad member's working rules, warns on it, and converges the healthy members", async () => {
    // Prepare: four kinds of bad input, and a healthy change beside them.
    await s.putIngress(
      member("gamma", [{ path: "/", service: "web" }], {
        "alb.ingress.kubernetes.io/scheme": "internet-fcing",
      }),
    );
    await s.putIngress(
      member("delta", [{ path: "/", service: "api" }], {
        "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP":80}',
      }),
    );
    await s.putIngress(member("epsilon", [{ path: "/", service: "docs-renamed" }]));
    await s.putIngress(
      member("zeta", [
        { path: "/", service: "api" },
        { path: "/static/*", service: "web" },
      ]),
    );
    await s.putIngress(
      member("alpha", [
        { path: "/", service: "web" },
        { path: "/new", service: "api" },
      ]),
    );

    // Act
    const { outcomes } = await s.reconcile();

    // Assess: same ALB (the held scheme did not replace it), bad members' rules as they were.
    expect(outcomes.map((o) => o.error)).toEqual([undefined]);
    const lbs = await allLoadBalancers(aws.elbv2);
    expect(lbs.find((l) => l.LoadBalancerArn === lbArn)?.Scheme).toBe("internet-facing");
    expect(outcomes[0]?.hostname).toBe(lbs.find((l) => l.LoadBalancerArn === lbArn)?.DNSName);
    const after = await rules();
    for (const name of ["gamma", "delta", "epsilon", "zeta"]) {
      const key = `${name}.${DOMAIN} /*`;
      expect(before.get(key), key).toBeDefined();
      expect(after.get(key), key).toBe(before.get(key));
    }
    expect([...after.keys()]).toContain(`alpha.${DOMAIN} /new,/new/*`);
    expect(after.size).toBe(before.size + 1);

    // Each bad Ingress is told the field, the value and the fix.
    expect(await warnings("gamma")).toMatch(/alb\.ingress\.kubernetes\.io\/scheme.*internet-fcing/s);
    expect(await warnings("delta")).toMatch(/listen-ports/);
    expect(await warnings("epsilon")).toMatch(/docs-renamed/);
    expect(await warnings("zeta")).toMatch(/spec\.rules\[0\]\.http\.paths\[1\]\.path.*static/s);
    expect(await warnings("alpha")).toBe("");
  });

  it("makes no AWS change on the next pass", async () => {
    const { totals, calls } = await s.reconcile([], { verify: true });
    expect(totals.mutating, JSON.stringify(calls)).toBe(0);
  });

  it("still deletes a bad member: its rules go, the others stay", async () => {
    await s.kube.networking.deleteNamespacedIngress({ name: "delta", namespace: s.namespace });

    const { outcomes } = await s.reconcile();

    expect(outcomes.map((o) => o.error)).toEqual([undefined]);
    expect(await s.getIngress("delta")).toBeUndefined();
    const after = await rules();
    expect([...after.keys()].some((k) => k.startsWith(`delta.${DOMAIN}`))).toBe(false);
    expect(after.get(`gamma.${DOMAIN} /*`)).toBe(before.get(`gamma.${DOMAIN} /*`));
  });

  it("converges a bad member once it is fixed", async () => {
    await s.putIngress(member("epsilon", [{ path: "/", service: "api" }]));
    await s.putIngress(
      member("gamma", [{ path: "/", service: "web" }], {
        "alb.ingress.kubernetes.io/scheme": "internet-facing",
      }),
    );

    const { outcomes } = await s.reconcile();

    expect(outcomes.map((o) => o.error)).toEqual([undefined]);
    const after = await rules();
    expect(after.get(`epsilon.${DOMAIN} /*`)).not.toBe(before.get(`epsilon.${DOMAIN} /*`));
    const lbs = await allLoadBalancers(aws.elbv2);
    expect(lbs.some((l) => l.LoadBalancerArn === lbArn)).toBe(true);
  });

  it("deletes everything when the group goes", async () => {
    for (const name of ["alpha", "gamma", "epsilon", "zeta"])
      await s.kube.networking.deleteNamespacedIngress({ name, namespace: s.namespace });

    const { outcomes } = await s.reconcile([group]);

    expect(outcomes.map((o) => o.error)).toEqual([undefined]);
    const lbs = await allLoadBalancers(aws.elbv2);
    expect(lbs.some((l) => l.LoadBalancerArn === lbArn)).toBe(false);
  });
});

describe("a group whose every member is invalid", () => {
  const s = new Scenario();
  const group = `halted-${s.namespace}`;
  const member = (name: string, listenPorts?: string): V1Ingress => ({
    metadata: {
      name,
      annotations: {
        "alb.ingress.kubernetes.io/group.name": group,
        ...(listenPorts ? { "alb.ingress.kubernetes.io/listen-ports": listenPorts } : {}),
      },
    },
    spec: {
      ingressClassName: "gannet",
      rules: [
        {
          host: `${name}.${DOMAIN}`,
          http: {
            paths: [
              { path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } },
            ],
          },
        },
      ],
    },
  });

  beforeAll(async () => {
    await s.setUp();
    await s.putBackend({ name: "web", ready: ["10.20.7.10"] });
    await s.putIngress(member("one"));
    await s.putIngress(member("two"));
    const { outcomes } = await s.reconcile();
    expect(outcomes.map((o) => o.error)).toEqual([undefined]);
  });
  afterAll(() => s.tearDown());

  it("leaves AWS unchanged, yet lets a deleted member go (its deletion never hangs)", async () => {
    const hostname = (await s.getIngress("one"))?.status?.loadBalancer?.ingress?.[0]?.hostname;
    await s.putIngress(member("one", "[{"));
    await s.putIngress(member("two", "[{"));
    await s.kube.networking.deleteNamespacedIngress({ name: "two", namespace: s.namespace });

    const { outcomes, totals } = await s.reconcile([group]);

    expect(outcomes.map((o) => [o.error, o.desired.halt?.reason])).toEqual([
      [undefined, expect.stringContaining("every member of the group is left out")],
    ]);
    expect(totals.mutating).toBe(0);
    expect(await s.getIngress("two")).toBeUndefined();
    const lbs = await allLoadBalancers(aws.elbv2);
    expect(lbs.some((l) => l.DNSName === hostname)).toBe(true);
  });

  it("cleans up once the last member goes", async () => {
    await s.kube.networking.deleteNamespacedIngress({ name: "one", namespace: s.namespace });

    const { outcomes } = await s.reconcile([group]);

    expect(outcomes.map((o) => o.error)).toEqual([undefined]);
    expect(await s.getIngress("one")).toBeUndefined();
    const tgs = await s.rt.aws.elbv2.listTargetGroups();
    expect(tgs.filter((t) => t.tags["gannet.io/cluster"] === s.cluster)).toEqual([]);
  });
});
