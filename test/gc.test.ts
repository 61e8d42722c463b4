// `gannet gc` and `gannet cost` from the command line, on the testbed: Gannet "uninstalled" while a
// group's Ingresses were deleted (finalizers removed by hand) leaves an orphaned ALB, target group,
// security group, certificate and records; gc lists exactly those with their cost (exit 2), cost shows
// every group, gc --yes deletes them (exit 0), and a frozen group (its IngressClass gone) and a live
// one are never collected.

import { spawnSync } from "node:child_process";
import type { V1Ingress } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CostReport } from "../src/report/holdings-report.ts";
import type { GcReport } from "../src/runtime/gc.ts";
import { Scenario } from "./support/scenario.ts";
import { testbedCoordinates, uniqueSuffix } from "./support/testbed.ts";
import { abandonIngress } from "./support/uninstall.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function gannet(args: readonly string[]) {
  const { kubeconfig, awsEndpoint } = testbedCoordinates();
  const res = spawnSync(process.execPath, ["src/runtime/cli.ts", ...args], {
    env: { ...process.env, GANNET_KUBECONFIG: kubeconfig, AWS_ENDPOINT_URL: awsEndpoint },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: res.status, out: `${res.stdout}${res.stderr}`, stdout: res.stdout };
}

describe("gannet gc and gannet cost", () => {
  const s = new Scenario();
  const id = uniqueSuffix();
  const group = `gc-${id}`;
  const domain = `gc-${id}.gannet.example.com`;
  const cluster = () => ["--cluster", s.cluster];

  const ingress = (name: string, host: string, extra: Partial<V1Ingress["metadata"]> = {}): V1Ingress => ({
    metadata: {
      name,
      ...extra,
      annotations: { "alb.ingress.kubernetes.io/scheme": "internet-facing", ...extra.annotations },
    },
    spec: {
      ingressClassName: "gannet",
      tls: [{ hosts: [host] }],
      rules: [
        {
          host,
          http: {
            paths: [
              {
                path: `/${name}`,
                pathType: "Prefix",
                backend: { service: { name: "web", port: { number: 80 } } },
              },
            ],
          },
        },
      ],
    },
  });

  async function aliveGroups(): Promise<string[]> {
    const lbs = await s.rt.aws.elbv2.listLoadBalancers();
    return lbs
      .filter((lb) => lb.tags["gannet.io/cluster"] === s.cluster)
      .map((lb) => lb.tags["gannet.io/group"] ?? "")
      .sort();
  }

  beforeAll(async () => {
    await s.setUp();
    await s.putBackend({ name: "web", ready: ["10.20.10.10"] });
    const member = { annotations: { "alb.ingress.kubernetes.io/group.name": group } };
    await s.putIngress(ingress("shop-a", `shop.${domain}`, member));
    await s.putIngress(ingress("shop-b", `shop.${domain}`, member));
    await s.putIngress(ingress("alive", `alive.${domain}`));
    await s.putIngress(ingress("frozen", `frozen.${domain}`));
    for (let i = 0; i < 10; i++) {
      const { outcomes } = await s.reconcile();
      if (outcomes.every((o) => o.disposition.action === "done" && !o.error)) break;
      await sleep(1500);
    }
    expect(await aliveGroups()).toEqual([group, `${s.namespace}/alive`, `${s.namespace}/frozen`].sort());
    // The frozen Ingress names an IngressClass that does not exist (deleted in an upgrade, say): Gannet
    // cannot tell whose it is, so its group must be kept as it is.
    const frozen = await s.getIngress("frozen");
    await s.putIngress({
      ...ingress("frozen", `frozen.${domain}`),
      spec: { ...frozen?.spec, ingressClassName: `missing-${id}` },
    });
    // Uninstalled: the shop group's Ingresses are deleted, their finalizers removed by hand.
    await abandonIngress(s, "shop-a");
    await abandonIngress(s, "shop-b");
  });
  afterAll(() => s.tearDown());

  it("gc lists exactly the orphaned group's resources and records with their monthly cost, and exits 2", () => {
    const { code, out } = gannet(["gc", ...cluster()]);

    expect(out).toContain(`group ${group} (no Ingress names it): $33.22/month`);
    const kinds = out
      .split("\n")
      .filter((l) => l.startsWith("  "))
      .map((l) => l.trim().split(" ")[0]);
    expect(kinds.sort()).toEqual([
      "certificate",
      "load-balancer",
      "record",
      "security-group",
      "target-group",
    ]);
    expect(out).toContain(`record A shop.${domain}`);
    expect(out).toContain("listeners 80/HTTP (2 rules), 443/HTTPS (2 rules)");
    expect(out).not.toContain(`${s.namespace}/alive`);
    expect(out).not.toContain(`${s.namespace}/frozen`);
    expect(out).toContain("dry run: nothing deleted");
    expect(code).toBe(2);
  });

  it("gc --output json says the same as data", () => {
    const { code, stdout } = gannet(["gc", ...cluster(), "--output", "json"]);
    const report = JSON.parse(stdout) as GcReport;

    expect(code).toBe(2);
    expect(report.dryRun).toBe(true);
    expect(report.groups.map((g) => [g.group, g.status, g.monthlyUsd])).toEqual([[group, "orphan", 33.22]]);
    expect(report.records.map((r) => r.id)).toEqual([`A shop.${domain}`]);
    expect(report.monthlyUsd).toBe(33.22);
  });

  it("cost shows every group with what it holds and costs, orphans marked, zones apart (table and JSON)", () => {
    const json = gannet(["cost", ...cluster(), "--output", "json", "--lcus", "2"]);
    const report = JSON.parse(json.stdout) as CostReport;

    expect(json.code).toBe(0);
    expect(report.groups.map((g) => [g.group, g.status])).toEqual(
      [
        [group, "orphan"],
        [`${s.namespace}/alive`, "live"],
        [`${s.namespace}/frozen`, "live"],
      ].sort((a, b) => ((a[0] ?? "") < (b[0] ?? "") ? -1 : 1)),
    );
    // Internet-facing in 3 AZs with 2 LCUs: 730 × (0.0225 + 2 × 0.008 + 3 × 0.005) = $39.055.
    expect(report.groups.map((g) => g.monthlyUsd)).toEqual([39.06, 39.06, 39.06]);
    expect(report.monthlyUsd).toBe(117.18);
    const alive = report.groups.find((g) => g.group === `${s.namespace}/alive`);
    expect(alive?.resources.map((r) => r.kind).sort()).toEqual([
      "certificate",
      "load-balancer",
      "record",
      "security-group",
      "target-group",
    ]);
    expect(report.hostedZones.map((z) => [z.name, z.records, z.monthlyUsd])).toEqual([
      ["gannet.example.com", 3, 0.5],
    ]);
    expect(report.assumptions).toMatchObject({ region: "us-east-1", albHour: 0.0225, lcus: 2 });

    const text = gannet(["cost", ...cluster()]);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(new RegExp(`${group}\\s+orphan\\s+1\\s+1\\s+1\\s+1\\s+1\\s+33\\.22`));
    expect(text.out).toMatch(/TOTAL\s+99\.66/);
    expect(text.out).toContain("gannet.example.com");
    expect(text.out).toContain("assumptions: region us-east-1");
  });

  it("gc --yes deletes them in dependency order, exits 0, and keeps the live and the frozen group", async () => {
    const zone = (await s.rt.aws.route53.listHostedZones()).find((z) => z.name === "gannet.example.com");
    const readRecords = async () =>
      (await s.rt.aws.route53.listRecordSets(zone?.id ?? "")).filter((r) => r.name.endsWith(domain));
    const shop = (await readRecords()).filter((r) => r.name.endsWith(`shop.${domain}`)).map((r) => r.type);
    expect(shop).toEqual(expect.arrayContaining(["A", "TXT"]));

    const { code, out } = gannet(["gc", ...cluster(), "--yes"]);

    expect(out).toContain(`deleted group ${group}:`);
    expect(out).toContain("deleted 1 group(s) and 1 record(s)");
    expect(code, out).toBe(0);
    expect(await aliveGroups()).toEqual([`${s.namespace}/alive`, `${s.namespace}/frozen`]);
    const certificates = (await s.rt.aws.acm.listCertificates()).filter(
      (c) => c.tags["gannet.io/cluster"] === s.cluster,
    );
    expect(certificates.flatMap((c) => c.names).sort()).toEqual([`alive.${domain}`, `frozen.${domain}`]);
    const records = await readRecords();
    // The shop records, their TXT (and a validation CNAME of its certificate, if any) are gone; the others stay.
    expect(records.filter((r) => r.name.endsWith(`shop.${domain}`))).toEqual([]);
    expect(records.map((r) => `${r.type} ${r.name}`)).toEqual(
      expect.arrayContaining([
        `A alive.${domain}`,
        `A frozen.${domain}`,
        `TXT a-alive.${domain}`,
        `TXT a-frozen.${domain}`,
      ]),
    );
  });

  it("gc then finds nothing and exits 0", () => {
    const { code, out } = gannet(["gc", ...cluster()]);

    expect(out.trim()).toBe(`cluster ${s.cluster}: nothing orphaned`);
    expect(code).toBe(0);
  });
});
