// Never touch what is not ours: traps that look like Gannet's resources (no tags, another cluster's
// tags, the group tag without a cluster, a rule added by hand to a Gannet listener, certificates for
// Gannet's hosts, Route53 records of other owners) stay exactly as they were through full converges with
// TLS and DNS, an update, a deletion, an abandoned group and `gannet gc --yes`.

import { DescribeListenersCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { V1Ingress } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { costAssumptions } from "../src/report/cost.ts";
import { runGc } from "../src/runtime/gc.ts";
import { resolveVpcId } from "../src/runtime/pass.ts";
import { Scenario } from "./support/scenario.ts";
import { allLoadBalancers, awsClients, uniqueSuffix } from "./support/testbed.ts";
import {
  createCertificateTrap,
  createLoadBalancerTrap,
  createRecordTraps,
  createRuleTrap,
  createSecurityGroupTrap,
  foreignTxt,
  noTraps,
  readTraps,
  seededZoneId,
  type Traps,
} from "./support/traps.ts";
import { abandonIngress } from "./support/uninstall.ts";

const aws = awsClients();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("traps: resources that look like Gannet's but are not this cluster's", () => {
  const s = new Scenario();
  const id = uniqueSuffix();
  const domain = `traps-${id}.gannet.example.com`;
  const group = `trap-${id}`;
  const other = `other-${id}`;
  const host = (name: string) => `${name}.${domain}`;
  let traps: Traps;
  let vpcId = "";
  let untouched: unknown;

  const ingress = (name: string, hosts: string[], annotations: Record<string, string>, tls: string[] = []) =>
    ({
      metadata: {
        name,
        annotations: { "alb.ingress.kubernetes.io/scheme": "internet-facing", ...annotations },
      },
      spec: {
        ingressClassName: "gannet",
        ...(tls.length ? { tls: [{ hosts: tls }] } : {}),
        rules: hosts.map((h) => ({
          host: h,
          http: {
            paths: [
              { path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } },
            ],
          },
        })),
      },
    }) satisfies V1Ingress;

  async function converge(): Promise<void> {
    for (let i = 0; i < 10; i++) {
      const { outcomes } = await s.reconcile([], { verify: true });
      expect(outcomes.map((o) => o.error).filter(Boolean)).toEqual([]);
      if (outcomes.every((o) => o.disposition.action === "done")) return;
      await sleep(1500); // the emulator issues a requested certificate after a few seconds
    }
    throw new Error("the traps scenario did not converge in 10 passes");
  }

  async function listenerOf(ingressName: string, port: number): Promise<string> {
    const hostname = (await s.getIngress(ingressName))?.status?.loadBalancer?.ingress?.[0]?.hostname;
    const lb = (await allLoadBalancers(aws.elbv2)).find((l) => l.DNSName === hostname);
    const listeners =
      (await aws.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb?.LoadBalancerArn ?? "" })))
        .Listeners ?? [];
    return listeners.find((l) => l.Port === port)?.ListenerArn ?? "";
  }

  beforeAll(async () => {
    await s.setUp();
    vpcId = await resolveVpcId(s.rt);
    await s.putBackend({ name: "web", ready: ["10.20.9.10"] });
    traps = noTraps(await seededZoneId(aws));
    const subnetIds = (await s.rt.aws.ec2.listElbSubnets(vpcId))
      .filter((x) => x.tags["kubernetes.io/role/elb"] !== undefined)
      .map((x) => x.id)
      .slice(0, 2);
    // ALBs: untagged; another cluster's with this test's group key; the group tag without any cluster.
    await createLoadBalancerTrap(aws, traps, { name: `gannet-untagged-${id}`, tags: {}, subnetIds, vpcId });
    await createLoadBalancerTrap(aws, traps, {
      name: `gannet-other-${id}`,
      tags: { "gannet.io/cluster": other, "gannet.io/group": group, "gannet.io/resource": "load-balancer" },
      subnetIds,
      vpcId,
    });
    await createLoadBalancerTrap(aws, traps, {
      name: `gannet-nocluster-${id}`,
      tags: { "gannet.io/group": group, "gannet.io/resource": "load-balancer" },
      subnetIds,
      vpcId,
    });
    await createSecurityGroupTrap(aws, traps, { name: `gannet-${group}-sg`, vpcId, tags: {} });
    await createSecurityGroupTrap(aws, traps, {
      name: `gannet-${group}-other`,
      vpcId,
      tags: { "gannet.io/cluster": other, "gannet.io/group": group, "gannet.io/resource": "security-group" },
    });
    // Certificates for Gannet's hosts: one untagged, one of another cluster (Gannet may serve them, never
    // change or delete them).
    await createCertificateTrap(aws, traps, host("app"), {});
    await createCertificateTrap(aws, traps, host("shop"), {
      "gannet.io/cluster": other,
      "gannet.io/group": `${s.namespace}/keep`,
      "gannet.io/resource": "certificate",
    });
    // Records at Gannet's hosts: another owner's, one without TXT, a TXT of another owner alone, and
    // aliases to ALBs that no longer exist (another owner's, and one without TXT): not gc's to collect.
    const alias = (name: string) => ({
      DNSName: `gannet-${name}-${id}-1.us-east-1.elb.amazonaws.com`,
      HostedZoneId: "Z2P70J7EXAMPLE",
      EvaluateTargetHealth: true,
    });
    await createRecordTraps(aws, traps, [
      { Name: host("other-owner"), Type: "A", TTL: 60, ResourceRecords: [{ Value: "192.0.2.10" }] },
      {
        Name: `a-${host("other-owner")}`,
        Type: "TXT",
        TTL: 300,
        ResourceRecords: [{ Value: foreignTxt("someone-else") }],
      },
      { Name: host("manual"), Type: "A", TTL: 60, ResourceRecords: [{ Value: "192.0.2.11" }] },
      {
        Name: `a-${host("txt-only")}`,
        Type: "TXT",
        TTL: 300,
        ResourceRecords: [{ Value: foreignTxt("someone-else") }],
      },
      { Name: host("dangling-theirs"), Type: "A", AliasTarget: alias("gone") },
      {
        Name: `a-${host("dangling-theirs")}`,
        Type: "TXT",
        TTL: 300,
        ResourceRecords: [{ Value: foreignTxt(other, `ingress/${s.namespace}/abandoned`) }],
      },
      { Name: host("dangling-untagged"), Type: "A", AliasTarget: alias("gone2") },
    ]);
    untouched = await readTraps(aws, traps);

    await s.putIngress(
      ingress(
        "keep",
        [host("app"), host("shop"), host("new"), host("other-owner"), host("manual"), host("txt-only")],
        { "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP":80},{"HTTPS":443}]' },
        [host("app"), host("shop"), host("new")],
      ),
    );
    await s.putIngress(ingress("gone", [host("gone")], { "alb.ingress.kubernetes.io/group.name": group }));
    await s.putIngress(ingress("abandoned", [host("abandoned")], {}, [host("abandoned")]));
  });
  afterAll(() => s.tearDown());

  it("full converges with TLS and DNS leave every trap as it was, and warn about the names others hold", async () => {
    // The snapshot holds what it should: a check that cannot see the traps proves nothing.
    const seen = untouched as {
      loadBalancers: { listeners: { rules: unknown[] }[] }[];
      targetGroups: { health: unknown[] }[];
      certificates: { certificate: { Status: string } }[];
      securityGroups: unknown[];
      records: unknown[];
    };
    expect(seen.loadBalancers.map((lb) => lb.listeners.map((l) => l.rules.length))).toEqual([[2], [2], [2]]);
    expect(seen.targetGroups.map((tg) => tg.health.length)).toEqual([1, 1, 1]);
    expect(seen.certificates.map((c) => c.certificate.Status)).toEqual(["ISSUED", "ISSUED"]);
    expect([seen.securityGroups.length, seen.records.length]).toEqual([2, 7]);

    await converge();

    expect(await readTraps(aws, traps)).toEqual(untouched);
    const warnings = (await s.events("keep")).filter((e) => e.type === "Warning").map((e) => e.message ?? "");
    for (const name of ["other-owner", "manual", "txt-only"])
      expect(warnings.some((w) => w.includes(host(name)))).toBe(true);
    // Its own certificate was requested for the host no trap covers.
    const mine = (await s.rt.aws.acm.listCertificates()).filter(
      (c) => c.tags["gannet.io/cluster"] === s.cluster,
    );
    expect(mine.flatMap((c) => c.names).sort()).toEqual([host("abandoned"), host("new")]);
  });

  it("a rule added by hand to a Gannet listener survives updates of its group", async () => {
    const listenerArn = await listenerOf("keep", 80);
    const ruleArn = await createRuleTrap(aws, listenerArn, { priority: 900 });
    traps.rules.push({ listenerArn, ruleArn });
    untouched = await readTraps(aws, traps);

    const updated = ingress(
      "keep",
      [host("app"), host("shop"), host("new"), host("other-owner"), host("manual"), host("txt-only")],
      { "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP":80},{"HTTPS":443}]' },
      [host("app"), host("shop"), host("new")],
    );
    updated.spec.rules.push({
      host: host("extra"),
      http: {
        paths: [
          { path: "/api", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } },
        ],
      },
    });
    await s.putIngress(updated);
    await s.putIngress(
      ingress("gone", [host("gone"), host("gone2")], { "alb.ingress.kubernetes.io/group.name": group }),
    );
    await converge();

    expect(await readTraps(aws, traps)).toEqual(untouched);
  });

  it("deleting a group removes its ALB and leaves another cluster's ALB of the same group name alone", async () => {
    await s.kube.networking.deleteNamespacedIngress({ name: "gone", namespace: s.namespace });
    await converge();

    const lbs = await allLoadBalancers(aws.elbv2);
    const ours = await s.rt.aws.elbv2.describeTags(lbs.map((l) => l.LoadBalancerArn ?? ""));
    const groups = [...ours.values()]
      .filter((t) => t["gannet.io/cluster"] === s.cluster)
      .map((t) => t["gannet.io/group"])
      .sort();
    expect(groups).toEqual([`${s.namespace}/abandoned`, `${s.namespace}/keep`]);
    expect(await readTraps(aws, traps)).toEqual(untouched);
  });

  it("gc --yes collects an abandoned group (finalizer removed while Gannet was not running) and no trap", async () => {
    await abandonIngress(s, "abandoned");
    const lines: string[] = [];

    const code = await runGc(s.rt, vpcId, {
      yes: true,
      json: false,
      assumptions: costAssumptions("us-east-1"),
      print: (l) => lines.push(l),
    });

    expect(code, lines.join("\n")).toBe(0);
    expect(lines.join("\n")).toContain(`group ${s.namespace}/abandoned (no Ingress names it)`);
    expect(lines.join("\n")).toContain(`record A ${host("abandoned")}`);
    expect(lines.join("\n")).not.toContain(`${s.namespace}/keep`);
    expect(await readTraps(aws, traps)).toEqual(untouched);
    const lbs = await allLoadBalancers(aws.elbv2);
    const tags = await s.rt.aws.elbv2.describeTags(lbs.map((l) => l.LoadBalancerArn ?? ""));
    expect(
      [...tags.values()].filter((t) => t["gannet.io/cluster"] === s.cluster).map((t) => t["gannet.io/group"]),
    ).toEqual([`${s.namespace}/keep`]);
    const certificates = (await s.rt.aws.acm.listCertificates()).filter(
      (c) => c.tags["gannet.io/cluster"] === s.cluster,
    );
    expect(
      certificates.flatMap((c) => c.names),
      lines.join("\n"),
    ).toEqual([host("new")]);
    const records = await s.rt.aws.route53.listRecordSets(traps.records.zoneId);
    expect(records.filter((r) => r.name.endsWith(host("abandoned")))).toEqual([]);
    // And nothing is left to collect: a second gc finds nothing.
    const again: string[] = [];
    expect(
      await runGc(s.rt, vpcId, {
        yes: false,
        json: false,
        assumptions: costAssumptions("us-east-1"),
        print: (l) => again.push(l),
      }),
    ).toBe(0);
    expect(again).toEqual([`cluster ${s.cluster}: nothing orphaned`]);
  });
});
