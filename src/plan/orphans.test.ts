import { describe, expect, it } from "vitest";
import type { Ingress } from "../model/kube-objects.ts";
import { buildOwnershipTags, groupTagValue, TAG } from "../model/ownership.ts";
import type { CertificateSummary } from "../model/tls/certificates.ts";
import { alb, ingress } from "../testing/test-fixtures.ts";
import type { LoadBalancerSummary } from "../types/alb.ts";
import type { ObservedRecordSet } from "../types/dns.ts";
import {
  buildGroupHoldings,
  type HeldRecord,
  heldRecordsOfZone,
  planCollection,
  planOrphanRecordDeletions,
  referencedGroups,
} from "./orphans.ts";
import { buildTxtValue, type RegistrySettings } from "./record-planner.ts";

const cluster = "prod";
const mine = (group: string, role: "load-balancer" | "certificate" = "load-balancer") =>
  buildOwnershipTags({ cluster, group }, role);

function lb(name: string, tags: Record<string, string>): LoadBalancerSummary {
  return {
    arn: `arn:lb/${name}`,
    name,
    dnsName: `${name}-1.us-east-1.elb.amazonaws.com`,
    canonicalHostedZoneId: "Z2P70J7EXAMPLE",
    scheme: "internet-facing",
    ipAddressType: "ipv4",
    subnetIds: ["subnet-a", "subnet-b"],
    securityGroupIds: [],
    tags,
  };
}

function certificate(arn: string, tags: Record<string, string>, inUseBy: string[] = []): CertificateSummary {
  return {
    arn,
    domainName: "app.example.com",
    names: ["app.example.com"],
    status: "ISSUED",
    type: "AMAZON_ISSUED",
    inUse: inUseBy.length > 0,
    inUseBy,
    tags,
    validation: [],
  };
}

describe("referencedGroups", () => {
  it.each<[string, Ingress, string]>([
    ["its implicit key", ingress("web", { namespace: "apps" }), "apps/web"],
    ["its group.name", ingress("web", { annotations: alb({ "group.name": "shop" }) }), "shop"],
    [
      "an invalid group.name (the Ingress may be fixed any minute)",
      ingress("web", { annotations: alb({ "group.name": "Shop!" }) }),
      "Shop!",
    ],
    [
      "another class's Ingress",
      ingress("web", { className: "nginx", annotations: alb({ "group.name": "shop" }) }),
      "shop",
    ],
    [
      "a finalizer left on an Ingress that moved away",
      {
        ...ingress("web", { annotations: alb({ "group.name": "new" }) }),
        metadata: { namespace: "apps", name: "web", finalizers: ["group.gannet.io/old"] },
      },
      "old",
    ],
    ["a deleted Ingress still held", ingress("web", { namespace: "apps", deleting: true }), "apps/web"],
  ])("%s", (_, i, group) => {
    expect(referencedGroups([i]).has(group)).toBe(true);
  });

  it("names a 317-character implicit key by its tag value", () => {
    const name = "i".repeat(253);
    const key = `${"n".repeat(63)}/${name}`;

    expect(referencedGroups([ingress(name, { namespace: "n".repeat(63) })]).has(groupTagValue(key))).toBe(
      true,
    );
  });
});

describe("buildGroupHoldings and planCollection", () => {
  const records: HeldRecord[] = [
    {
      zoneId: "Z1",
      zoneName: "example.com",
      name: "gone.example.com",
      type: "A",
      target: "gannet-gone-1.us-east-1.elb.amazonaws.com",
      resource: "ingress/apps/gone",
    },
    {
      zoneId: "Z1",
      zoneName: "example.com",
      name: "live.example.com",
      type: "A",
      target: "gannet-live-1.us-east-1.elb.amazonaws.com",
      resource: "ingress/apps/live",
    },
    {
      zoneId: "Z1",
      zoneName: "example.com",
      name: "dangling.example.com",
      type: "A",
      target: "gannet-deleted-long-ago-1.us-east-1.elb.amazonaws.com",
      resource: "ingress/apps/old",
    },
    {
      zoneId: "Z1",
      zoneName: "example.com",
      name: "cdn.example.com",
      type: "A",
      target: "d111.cloudfront.net",
      resource: "ingress/apps/old",
    },
    {
      zoneId: "Z1",
      zoneName: "example.com",
      name: "recreating.example.com",
      type: "A",
      target: "gannet-deleted-long-ago-1.us-east-1.elb.amazonaws.com",
      resource: "ingress/apps/live",
    },
  ];
  const loadBalancers = [
    lb("gannet-gone", mine("apps/gone")),
    lb("gannet-live", mine("apps/live")),
    lb("gannet-frozen", mine("apps/frozen")),
    lb("gannet-other", { [TAG.cluster]: "staging", [TAG.group]: "apps/gone" }),
    lb("gannet-untagged", {}),
  ];
  const ingresses = [
    ingress("live", { namespace: "apps" }),
    // Its IngressClass is missing: Gannet cannot tell whose it is, so its group is frozen, not orphaned.
    ingress("frozen", { namespace: "apps", className: "deleted-class" }),
  ];
  const holdings = buildGroupHoldings({
    cluster,
    loadBalancers,
    targetGroups: [],
    securityGroups: [],
    certificates: [
      certificate("arn:cert/gone", mine("apps/gone", "certificate"), ["arn:lb/gannet-gone"]),
      certificate("arn:cert/shared", mine("apps/gone", "certificate"), ["arn:lb/gannet-live"]),
      certificate("arn:cert/stray", mine("apps/stray", "certificate")),
      certificate("arn:cert/foreign", { [TAG.cluster]: "staging", [TAG.group]: "apps/stray" }),
      certificate("arn:cert/untagged", {}),
    ],
    records,
    referenced: referencedGroups(ingresses),
  });

  it("holds this cluster's resources by group, and our records aliasing each group's ALB", () => {
    expect(
      holdings.map((g) => ({
        group: g.group,
        referenced: g.referenced,
        lbs: g.loadBalancers.map((l) => l.name),
        certs: g.certificates.map((c) => c.arn),
        records: g.records.map((r) => r.name),
      })),
    ).toEqual([
      { group: "apps/frozen", referenced: true, lbs: ["gannet-frozen"], certs: [], records: [] },
      {
        group: "apps/gone",
        referenced: false,
        lbs: ["gannet-gone"],
        certs: ["arn:cert/gone", "arn:cert/shared"],
        records: ["gone.example.com"],
      },
      {
        group: "apps/live",
        referenced: true,
        lbs: ["gannet-live"],
        certs: [],
        records: ["live.example.com"],
      },
      { group: "apps/stray", referenced: false, lbs: [], certs: ["arn:cert/stray"], records: [] },
    ]);
  });

  it("collects unnamed groups (keeping a certificate another ALB uses) and records whose ALB is gone", () => {
    const collection = planCollection({
      holdings,
      records,
      existingTargets: new Set(loadBalancers.map((l) => l.dnsName)),
      ingresses,
    });

    expect(collection.groups.map((g) => [g.group, g.certificates.map((c) => c.arn)])).toEqual([
      ["apps/gone", ["arn:cert/gone"]],
      ["apps/stray", ["arn:cert/stray"]],
    ]);
    // Not the live group's record (its ALB stays), not a CloudFront alias, not a record whose Ingress
    // still exists (its group's reconcile repoints it).
    expect(collection.records.map((r) => r.name)).toEqual(["gone.example.com", "dangling.example.com"]);
  });
});

describe("records: ours, and their deletion", () => {
  const settings: RegistrySettings = { ownerId: "prod", policy: "upsert-only" };
  const alias = (dnsName: string) => ({
    dnsName,
    hostedZoneId: "Z2P70J7EXAMPLE",
    evaluateTargetHealth: true,
  });
  const txt = (name: string, owner: string, resource: string): ObservedRecordSet => ({
    name,
    type: "TXT",
    ttl: 300,
    values: [buildTxtValue(owner, resource)],
  });
  const observed: ObservedRecordSet[] = [
    { name: "gone.example.com", type: "A", alias: alias("gannet-gone-1.us-east-1.elb.amazonaws.com") },
    txt("a-gone.example.com", "prod", "ingress/apps/gone"),
    { name: "kept.example.com", type: "A", alias: alias("gannet-gone-1.us-east-1.elb.amazonaws.com") },
    txt("a-kept.example.com", "prod", "ingress/apps/gone"),
    { name: "theirs.example.com", type: "A", alias: alias("gannet-gone-1.us-east-1.elb.amazonaws.com") },
    txt("a-theirs.example.com", "staging", "ingress/apps/gone"),
    { name: "manual.example.com", type: "A", alias: alias("gannet-gone-1.us-east-1.elb.amazonaws.com") },
  ];
  const zone = { id: "Z1", name: "example.com", private: false };

  it("holds only records whose TXT names our owner id", () => {
    expect(heldRecordsOfZone(zone, observed, settings).map((r) => [r.name, r.resource])).toEqual([
      ["gone.example.com", "ingress/apps/gone"],
      ["kept.example.com", "ingress/apps/gone"],
    ]);
  });

  it("deletes an orphan record with its TXT, whatever the policy, and nothing else of the resource", () => {
    const [gone] = heldRecordsOfZone(zone, observed, settings);
    const changes = planOrphanRecordDeletions({
      zoneId: "Z1",
      observed,
      orphans: gone ? [gone] : [],
      settings,
    });

    expect(changes.map((c) => `${c.action} ${c.record.type} ${c.record.name}`)).toEqual([
      "DELETE A gone.example.com",
      "DELETE TXT a-gone.example.com",
    ]);
    expect(
      planOrphanRecordDeletions({ zoneId: "Z2", observed, orphans: gone ? [gone] : [], settings }),
    ).toEqual([]);
  });
});
