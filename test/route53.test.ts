// Route53 records on the real testbed: plan and apply through the port, read back what the zone holds,
// and check that a second reconcile sends nothing and that records of others are never touched.

import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand } from "@aws-sdk/client-route-53";
import { afterAll, describe, expect, it } from "vitest";
import { Route53Port } from "../src/aws/route53.ts";
import type { HostedZone } from "../src/model/dns/dns-records.ts";
import { buildTxtValue, planRecords, type RegistrySettings } from "../src/plan/record-planner.ts";
import { buildDesiredRecords } from "../src/sources/ingress/hosts/hostnames.ts";
import { ingress, path } from "../src/testing/test-fixtures.ts";
import type { ObservedRecordSet, RecordChange } from "../src/types/dns.ts";
import { awsClients, uniqueSuffix } from "./support/testbed.ts";

const SETTINGS: RegistrySettings = { ownerId: "gannet-test", policy: "sync" };
// moto's canonical hosted zone for every load balancer; the DNS name follows its `<name>-1.<region>` form.
const TARGET = {
  dnsName: "x-1.us-east-1.elb.amazonaws.com",
  hostedZoneId: "Z2P70J7EXAMPLE",
  dualstack: false,
};
const SHOP = "ingress/apps/shop";

const clients = awsClients();
const port = new Route53Port(clients.route53);

afterAll(() => {
  for (const client of [clients.route53, clients.elbv2, clients.ec2, clients.acm]) client.destroy();
});

async function createZone(tag: string): Promise<HostedZone> {
  const name = `r53-${tag}-${uniqueSuffix()}.gannet.example.com`;
  await clients.route53.send(
    new CreateHostedZoneCommand({ Name: name, CallerReference: `${name}-${Date.now()}` }),
  );
  const zone = (await port.listHostedZones()).find((z) => z.name === name);
  if (!zone) throw new Error(`hosted zone ${name} was created but ListHostedZones does not show it`);
  expect(zone.private).toBe(false);
  return zone;
}

function shop(hosts: string[]) {
  return ingress("shop", { rules: hosts.map((host) => ({ host, http: { paths: [path("/", "Prefix")] } })) });
}

/** One reconcile of the group's records in one zone: observe, build, plan, apply. */
async function reconcile(zone: HostedZone, hosts: string[], scope = new Set([SHOP])) {
  const zones = await port.listHostedZones();
  const built = buildDesiredRecords({
    members: hosts.length > 0 ? [{ ingress: shop(hosts) }] : [],
    target: TARGET,
    zones,
    private: false,
  });
  const observed = await port.listRecordSets(zone.id);
  const plan = planRecords({
    zoneId: zone.id,
    desired: built.records.filter((r) => r.zoneId === zone.id),
    observed,
    scope,
    settings: SETTINGS,
  });
  const result = await port.changeRecordSets(zone.id, plan.changes, "gannet test");
  return { built, plan, result };
}

function find(records: readonly ObservedRecordSet[], name: string, type: string): ObservedRecordSet[] {
  return records.filter((r) => r.name === name && r.type === type);
}

async function writeRaw(
  zone: HostedZone,
  records: { name: string; type: string; value?: string; alias?: boolean }[],
) {
  await clients.route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zone.id,
      ChangeBatch: {
        Changes: records.map((r) => ({
          Action: "CREATE",
          ResourceRecordSet: r.alias
            ? {
                Name: `${r.name}.`,
                Type: "A",
                AliasTarget: {
                  DNSName: TARGET.dnsName,
                  HostedZoneId: TARGET.hostedZoneId,
                  EvaluateTargetHealth: true,
                },
              }
            : {
                Name: `${r.name}.`,
                Type: r.type as "A" | "TXT",
                TTL: 60,
                ResourceRecords: [{ Value: r.value ?? "" }],
              },
        })),
      },
    }),
  );
}

describe("Route53 records on the testbed", () => {
  it("publishes an A alias and its TXT per host, and a second reconcile sends nothing", async () => {
    const zone = await createZone("pub");
    const hosts = [`app.${zone.name}`, `api.${zone.name}`];

    const first = await reconcile(zone, hosts);

    expect(first.built.problems).toEqual([]);
    expect(first.plan.conflicts).toEqual([]);
    expect(first.result).toEqual({ applied: 4, failed: [] });
    const records = await port.listRecordSets(zone.id);
    for (const host of hosts) {
      expect(find(records, host, "A")).toEqual([
        {
          name: host,
          type: "A",
          alias: { dnsName: TARGET.dnsName, hostedZoneId: TARGET.hostedZoneId, evaluateTargetHealth: true },
        },
      ]);
      expect(find(records, `a-${host}`, "TXT")).toEqual([
        { name: `a-${host}`, type: "TXT", ttl: 300, values: [buildTxtValue(SETTINGS.ownerId, SHOP)] },
      ]);
    }

    const before = clients.stats.snapshot();
    const second = await reconcile(zone, hosts);

    expect(second.plan).toEqual({ changes: [], conflicts: [] });
    expect(second.result).toEqual({ applied: 0, failed: [] });
    const calls = clients.stats.since(before);
    expect(calls["Route53:ChangeResourceRecordSets"]).toBeUndefined();
    expect(calls["Route53:ListResourceRecordSets"]).toBe(1);
  });

  it("deletes its own records and leaves a foreign record and another owner's record untouched", async () => {
    const zone = await createZone("own");
    const [app, legacy, other] = ["app", "legacy", "other"].map((h) => `${h}.${zone.name}`) as [
      string,
      string,
      string,
    ];
    const otherTxt = buildTxtValue("someone-else", SHOP);
    await writeRaw(zone, [
      { name: legacy, type: "A", value: "192.0.2.10" },
      { name: other, type: "A", alias: true },
      { name: `a-${other}`, type: "TXT", value: otherTxt },
    ]);
    const untouched = (records: ObservedRecordSet[]) => [
      ...find(records, legacy, "A"),
      ...find(records, other, "A"),
      ...find(records, `a-${other}`, "TXT"),
    ];
    const before = untouched(await port.listRecordSets(zone.id));

    const publish = await reconcile(zone, [app, legacy, other]);

    expect(publish.result).toEqual({ applied: 2, failed: [] });
    expect(publish.plan.conflicts.map((c) => c.name)).toEqual([legacy, other]);
    expect(publish.plan.conflicts[1]?.reason).toContain('"someone-else"');
    const removal = await reconcile(zone, [], new Set([SHOP]));

    expect(removal.plan.changes.map((c) => `${c.action} ${c.record.type} ${c.record.name}`)).toEqual([
      `DELETE A ${app}`,
      `DELETE TXT a-${app}`,
    ]);
    expect(removal.result).toEqual({ applied: 2, failed: [] });
    const after = await port.listRecordSets(zone.id);
    expect(find(after, app, "A")).toEqual([]);
    expect(find(after, `a-${app}`, "TXT")).toEqual([]);
    expect(untouched(after)).toEqual(before);
    expect(before).toHaveLength(3);
  });

  it("splits a rejected batch so one invalid change does not hold back the valid ones", async () => {
    const zone = await createZone("split");
    const built = buildDesiredRecords({
      members: [{ ingress: shop([`one.${zone.name}`, `two.${zone.name}`]) }],
      target: TARGET,
      zones: [zone],
      private: false,
    });
    const plan = planRecords({
      zoneId: zone.id,
      desired: built.records,
      observed: await port.listRecordSets(zone.id),
      scope: new Set([SHOP]),
      settings: SETTINGS,
    });
    const bad: RecordChange = {
      action: "CREATE",
      record: { name: "outside.example.org", type: "TXT", ttl: 300, values: ['"not in this zone"'] },
    };
    const changes = [...plan.changes.slice(0, 2), bad, ...plan.changes.slice(2)];
    const before = clients.stats.snapshot();

    const result = await port.changeRecordSets(zone.id, changes, "gannet test: split on failure");

    expect(result.applied).toBe(4);
    expect(result.failed).toEqual([{ change: bad, error: expect.stringContaining("InvalidChangeBatch") }]);
    expect(clients.stats.since(before)["Route53:ChangeResourceRecordSets"]).toBeGreaterThan(1);
    const records = await port.listRecordSets(zone.id);
    for (const host of [`one.${zone.name}`, `two.${zone.name}`]) {
      expect(find(records, host, "A")).toHaveLength(1);
      expect(find(records, `a-${host}`, "TXT")).toHaveLength(1);
    }
    const again = planRecords({
      zoneId: zone.id,
      desired: built.records,
      observed: records,
      scope: new Set([SHOP]),
      settings: SETTINGS,
    });
    expect(again.changes).toEqual([]);
  });
});
