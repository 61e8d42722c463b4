import { describe, expect, it } from "vitest";
import type { AliasTarget, DesiredRecord } from "../model/dns/dns-records.ts";
import type { ObservedRecordSet, RecordChange } from "../types/dns.ts";
import {
  buildTxtName,
  buildTxtValue,
  groupChangeUnits,
  isChangeInEffect,
  type PlanRecordsInput,
  parseTxtName,
  parseTxtValue,
  planRecords,
  type RegistrySettings,
  splitIntoBatches,
  type TxtNaming,
} from "./record-planner.ts";

const ZONE = "Z1";
const SHOP = "ingress/apps/shop";
const ALIAS = {
  dnsName: "k8s-web-1.us-east-1.elb.amazonaws.com",
  hostedZoneId: "Z35SXDOTRQ7X7K",
  evaluateTargetHealth: true,
} as const;
const OLD_ALIAS: AliasTarget = { ...ALIAS, dnsName: "k8s-old-2.us-east-1.elb.amazonaws.com" };
const SETTINGS: RegistrySettings = { ownerId: "gannet", policy: "sync" };

function desired(name: string, type: "A" | "AAAA" = "A", resource = SHOP): DesiredRecord {
  return { zoneId: ZONE, name, type, alias: ALIAS, resource };
}

function alias(name: string, target: AliasTarget = ALIAS, type = "A"): ObservedRecordSet {
  return { name, type, alias: target };
}

function txt(name: string, value: string, ttl = 300): ObservedRecordSet {
  return { name, type: "TXT", ttl, values: [value] };
}

function owned(name: string, owner = "gannet", resource = SHOP, type = "A"): ObservedRecordSet {
  return txt(buildTxtName(name, type, {}), buildTxtValue(owner, resource));
}

function plan(o: Partial<PlanRecordsInput> & Pick<PlanRecordsInput, "desired" | "observed">) {
  return planRecords({ zoneId: ZONE, scope: new Set([SHOP]), settings: SETTINGS, ...o });
}

// What Route53 would hold after the changes (AWS semantics: CREATE and UPSERT replace, DELETE removes).
function apply(
  observed: readonly ObservedRecordSet[],
  changes: readonly RecordChange[],
): ObservedRecordSet[] {
  let out = [...observed];
  for (const c of changes) {
    out = out.filter((o) => !(o.name === c.record.name && o.type === c.record.type));
    if (c.action !== "DELETE") out.push(c.record);
  }
  return out;
}

describe("TXT names", () => {
  it.each<{ name: string; type: string; naming: TxtNaming; want: string }>([
    { name: "app.example.com", type: "A", naming: {}, want: "a-app.example.com" },
    { name: "app.example.com", type: "AAAA", naming: {}, want: "aaaa-app.example.com" },
    { name: "app.example.com", type: "CNAME", naming: {}, want: "cname-app.example.com" },
    { name: "app.example.com", type: "A", naming: { txtPrefix: "txt-" }, want: "txt-a-app.example.com" },
    { name: "app.example.com", type: "A", naming: { txtPrefix: "TXT." }, want: "txt.a-app.example.com" },
    { name: "app.example.com", type: "A", naming: { txtSuffix: "-own" }, want: "a-app-own.example.com" },
    { name: "app.example.com", type: "A", naming: { txtSuffix: ".own" }, want: "a-app.own.example.com" },
    {
      name: "app.example.com",
      type: "AAAA",
      naming: { txtPrefix: "%{record_type}-owner." },
      want: "aaaa-owner.app.example.com",
    },
    {
      name: "app.example.com",
      type: "A",
      naming: { txtSuffix: "-%{record_type}" },
      want: "app-a.example.com",
    },
    { name: "*.example.com", type: "A", naming: {}, want: "a-*.example.com" },
    { name: "*.example.com", type: "AAAA", naming: { txtPrefix: "txt-" }, want: "txt-aaaa-*.example.com" },
    { name: "*.example.com", type: "A", naming: { txtSuffix: "-own" }, want: "a-*-own.example.com" },
    {
      name: "*.example.com",
      type: "A",
      naming: { txtWildcardReplacement: "any" },
      want: "a-any.example.com",
    },
    { name: "localhost", type: "A", naming: {}, want: "a-localhost" },
  ])("$type $name with $naming is owned by $want", ({ name, type, naming, want }) => {
    expect(buildTxtName(name, type, naming)).toBe(want);
    expect(parseTxtName(want, naming)).toEqual({ name, type });
  });

  it.each<{ txtName: string; naming: TxtNaming }>([
    { txtName: "app.example.com", naming: {} },
    { txtName: "a-app.example.com", naming: { txtPrefix: "txt-" } },
    { txtName: "a-app.example.com", naming: { txtSuffix: "-own" } },
    { txtName: "a-.example.com", naming: {} },
    { txtName: "x-app.example.com", naming: {} },
  ])("$txtName is no ownership name with $naming", ({ txtName, naming }) => {
    expect(parseTxtName(txtName, naming)).toBeUndefined();
  });
});

describe("TXT values", () => {
  it("writes ExternalDNS's quoted value", () => {
    expect(buildTxtValue("gannet", SHOP)).toBe(
      '"heritage=external-dns,external-dns/owner=gannet,external-dns/resource=ingress/apps/shop"',
    );
  });

  it.each([
    {
      case: "quoted",
      value: '"heritage=external-dns,external-dns/owner=o,external-dns/resource=ingress/a/b"',
      want: { owner: "o", resource: "ingress/a/b" },
    },
    {
      case: "unquoted",
      value: "heritage=external-dns,external-dns/owner=o,external-dns/resource=ingress/a/b",
      want: { owner: "o", resource: "ingress/a/b" },
    },
    {
      case: "with extra labels in another order",
      value:
        '"heritage=external-dns,external-dns/resource=service/x/y,external-dns/ownedRecord=a.b,external-dns/owner=o"',
      want: { owner: "o", resource: "service/x/y" },
    },
    {
      case: "split into several strings",
      value: '"heritage=external-dns,external-dns/owner=o," "external-dns/resource=ingress/a/b"',
      want: { owner: "o", resource: "ingress/a/b" },
    },
    {
      case: "without a resource",
      value: '"heritage=external-dns,external-dns/owner=o"',
      want: { owner: "o" },
    },
  ])("reads a value $case", ({ value, want }) => {
    expect(parseTxtValue(value)).toMatchObject(want);
    expect(parseTxtValue([value, '"v=spf1 -all"'])).toMatchObject(want);
  });

  it.each(['"v=spf1 -all"', '"heritage=other,external-dns/owner=o"', '"external-dns/owner=o"', ""])(
    "does not read %j as ownership",
    (value) => {
      expect(parseTxtValue(value)).toBeUndefined();
    },
  );
});

const createPair = (name: string, resource = SHOP, naming: TxtNaming = {}): RecordChange[] => [
  {
    action: "CREATE",
    record: {
      name: buildTxtName(name, "A", naming),
      type: "TXT",
      ttl: 300,
      values: [buildTxtValue("gannet", resource)],
    },
    unit: `${name}|A`,
  },
  { action: "CREATE", record: { name, type: "A", alias: ALIAS }, unit: `${name}|A` },
];

describe("planRecords", () => {
  it("creates the TXT, then the alias record, at a free name", () => {
    const got = plan({ desired: [desired("app.example.com")], observed: [] });

    expect(got).toEqual({ changes: createPair("app.example.com"), conflicts: [] });
  });

  it("owns a wildcard through a-*.<zone>, and follows the prefix", () => {
    const got = plan({
      desired: [desired("*.example.com")],
      observed: [],
      settings: { ...SETTINGS, txtPrefix: "txt-" },
    });

    expect(got.changes.map((c) => `${c.action} ${c.record.type} ${c.record.name}`)).toEqual([
      "CREATE TXT txt-a-*.example.com",
      "CREATE A *.example.com",
    ]);
  });

  it("writes the TXT with the given ttl", () => {
    const got = plan({ desired: [desired("app.example.com")], observed: [], ttl: 60 });

    expect(got.changes[0]?.record.ttl).toBe(60);
  });

  it.each([
    { case: "the same alias", record: alias("app.example.com") },
    {
      case: "the alias with dualstack. and a trailing dot",
      record: alias("app.example.com", { ...ALIAS, dnsName: `dualstack.${ALIAS.dnsName.toUpperCase()}.` }),
    },
  ])("adopts an ExternalDNS record of the same owner with $case: no change", ({ record }) => {
    const got = plan({ desired: [desired("app.example.com")], observed: [record, owned("app.example.com")] });

    expect(got).toEqual({ changes: [], conflicts: [] });
  });

  it("leaves another owner's record untouched and reports the conflict", () => {
    const got = plan({
      desired: [desired("app.example.com")],
      observed: [alias("app.example.com", OLD_ALIAS), owned("app.example.com", "other-cluster")],
    });

    expect(got.changes).toEqual([]);
    expect(got.conflicts).toEqual([
      {
        name: "app.example.com",
        type: "A",
        resource: SHOP,
        reason: 'the name is owned by owner id "other-cluster" (TXT record a-app.example.com)',
      },
    ]);
  });

  it.each([
    {
      case: "an unowned record of the same type",
      observed: [{ name: "app.example.com", type: "A", ttl: 60, values: ["192.0.2.10"] }],
      reason: "without an ownership TXT record",
    },
    {
      case: "an unowned CNAME",
      observed: [{ name: "app.example.com", type: "CNAME", ttl: 60, values: ["elsewhere.example.org"] }],
      reason: "a CNAME record at the name is not owned",
    },
    {
      case: "an unowned AAAA beside the A we want",
      observed: [alias("app.example.com", OLD_ALIAS, "AAAA")],
      reason: "a AAAA record at the name is not owned",
    },
    {
      case: "a TXT at the ownership name not written by ExternalDNS",
      observed: [txt("a-app.example.com", '"hello"')],
      reason: "was not written by ExternalDNS or Gannet",
    },
    {
      case: "another owner's legacy cname- TXT",
      observed: [
        alias("app.example.com"),
        txt("cname-app.example.com", buildTxtValue("other-cluster", SHOP)),
      ],
      reason: 'owner id "other-cluster" (TXT record cname-app.example.com)',
    },
    {
      case: "a routing-policy record set",
      observed: [{ ...alias("app.example.com"), setIdentifier: "blue" }],
      reason: 'set identifier "blue"',
    },
    {
      case: "our owner id for a resource outside the group",
      observed: [alias("app.example.com"), owned("app.example.com", "gannet", "ingress/apps/elsewhere")],
      reason: "published for ingress/apps/elsewhere under the same owner id",
    },
  ])("reports $case as a conflict and changes nothing", ({ observed, reason }) => {
    const got = plan({ desired: [desired("app.example.com")], observed });

    expect(got.changes).toEqual([]);
    expect(got.conflicts).toEqual([
      expect.objectContaining({ name: "app.example.com", type: "A", resource: SHOP }),
    ]);
    expect(got.conflicts[0]?.reason).toContain(reason);
  });

  it.each([
    { case: "a changed alias", record: alias("app.example.com", OLD_ALIAS) },
    {
      case: "a plain record of ours",
      record: { name: "app.example.com", type: "A", ttl: 60, values: ["192.0.2.1"] },
    },
    {
      case: "evaluateTargetHealth off",
      record: alias("app.example.com", { ...ALIAS, evaluateTargetHealth: false }),
    },
  ])("upserts the record for $case", ({ record }) => {
    const got = plan({ desired: [desired("app.example.com")], observed: [record, owned("app.example.com")] });

    expect(got.changes).toEqual([
      {
        action: "UPSERT",
        record: { name: "app.example.com", type: "A", alias: ALIAS },
        unit: "app.example.com|A",
      },
    ]);
  });

  it("moves the TXT to the new resource when a host changes hands within the group", () => {
    const got = plan({
      desired: [desired("app.example.com", "A", "ingress/apps/new")],
      observed: [alias("app.example.com"), txt("a-app.example.com", buildTxtValue("gannet", SHOP), 120)],
      scope: new Set([SHOP, "ingress/apps/new"]),
    });

    expect(got.changes).toEqual([
      {
        action: "UPSERT",
        record: {
          name: "a-app.example.com",
          type: "TXT",
          ttl: 120,
          values: [buildTxtValue("gannet", "ingress/apps/new")],
        },
        unit: "app.example.com|A",
      },
    ]);
  });

  it("deletes a removed host's record and its TXT with their exact values, record first", () => {
    const ownTxt = txt(
      "a-gone.example.com",
      `${buildTxtValue("gannet", SHOP).slice(0, -1)},external-dns/x=y"`,
      3600,
    );
    const record = alias("gone.example.com", OLD_ALIAS);

    const got = plan({ desired: [], observed: [record, ownTxt] });

    expect(got.changes).toEqual([
      {
        action: "DELETE",
        record: { name: "gone.example.com", type: "A", alias: OLD_ALIAS },
        unit: "gone.example.com|A",
      },
      {
        action: "DELETE",
        record: { name: "a-gone.example.com", type: "TXT", ttl: 3600, values: ownTxt.values },
        unit: "gone.example.com|A",
      },
    ]);
  });

  it("deletes an orphaned TXT of ours whose record is gone", () => {
    const got = plan({ desired: [], observed: [owned("gone.example.com", "gannet", SHOP, "AAAA")] });

    expect(got.changes.map((c) => `${c.action} ${c.record.name}`)).toEqual(["DELETE aaaa-gone.example.com"]);
  });

  it("creates only the record when its TXT of ours is already there", () => {
    const got = plan({ desired: [desired("app.example.com")], observed: [owned("app.example.com")] });

    expect(got.changes).toEqual([createPair("app.example.com")[1]]);
  });

  it.each([
    {
      case: "a resource outside the scope",
      observed: [alias("x.example.com"), owned("x.example.com", "gannet", "ingress/apps/other")],
    },
    { case: "another owner", observed: [alias("x.example.com"), owned("x.example.com", "other-cluster")] },
    { case: "no ownership TXT", observed: [alias("x.example.com")] },
    {
      case: "a TXT without a resource",
      observed: [
        alias("x.example.com"),
        txt("a-x.example.com", '"heritage=external-dns,external-dns/owner=gannet"'),
      ],
    },
  ])("leaves a record of $case alone", ({ observed }) => {
    expect(plan({ desired: [], observed })).toEqual({ changes: [], conflicts: [] });
  });

  it("adopts a record owned through ExternalDNS's legacy cname- TXT by adding the new TXT", () => {
    const got = plan({
      desired: [desired("app.example.com")],
      observed: [alias("app.example.com"), txt("cname-app.example.com", buildTxtValue("gannet", SHOP))],
    });

    expect(got.changes).toEqual([createPair("app.example.com")[0]]);
  });

  it("deletes legacy TXT records of ours along with the record", () => {
    const legacy = txt("app.example.com", buildTxtValue("gannet", SHOP));

    const got = plan({ desired: [], observed: [alias("app.example.com"), owned("app.example.com"), legacy] });

    expect(got.changes.map((c) => `${c.action} ${c.record.type} ${c.record.name}`)).toEqual([
      "DELETE A app.example.com",
      "DELETE TXT a-app.example.com",
      "DELETE TXT app.example.com",
    ]);
  });

  it("ignores desired records of other zones", () => {
    const got = plan({ desired: [{ ...desired("app.example.com"), zoneId: "Z2" }], observed: [] });

    expect(got.changes).toEqual([]);
  });

  const MIXED = {
    desired: [desired("new.example.com"), desired("moved.example.com")],
    observed: [
      alias("moved.example.com", OLD_ALIAS),
      owned("moved.example.com"),
      alias("gone.example.com"),
      owned("gone.example.com"),
    ],
  };

  it.each([
    {
      policy: "sync",
      want: ["DELETE gone.example.com|A", "UPSERT moved.example.com|A", "CREATE new.example.com|A"],
    },
    { policy: "upsert-only", want: ["UPSERT moved.example.com|A", "CREATE new.example.com|A"] },
    { policy: "create-only", want: ["CREATE new.example.com|A"] },
  ] as const)("under $policy plans $want", ({ policy, want }) => {
    const got = plan({ ...MIXED, settings: { ...SETTINGS, policy } });

    expect([...new Set(got.changes.map((c) => `${c.action} ${c.unit}`))]).toEqual(want);
  });

  it.each(["sync", "upsert-only", "create-only"] as const)(
    "under %s plans nothing after its changes are applied",
    (policy) => {
      const settings = { ...SETTINGS, policy };
      const first = plan({ ...MIXED, settings });

      const second = plan({ ...MIXED, observed: apply(MIXED.observed, first.changes), settings });

      expect(first.changes.length).toBeGreaterThan(0);
      expect(second).toEqual({ changes: [], conflicts: [] });
    },
  );
});

describe("isChangeInEffect", () => {
  const [txtChange, recordChange] = createPair("app.example.com") as [RecordChange, RecordChange];

  it.each([
    {
      case: "a CREATE whose record is there",
      change: recordChange,
      observed: [alias("app.example.com")],
      want: true,
    },
    { case: "a CREATE whose record is missing", change: recordChange, observed: [], want: false },
    {
      case: "a CREATE of another alias",
      change: recordChange,
      observed: [alias("app.example.com", OLD_ALIAS)],
      want: false,
    },
    {
      case: "a TXT CREATE with its value",
      change: txtChange,
      observed: [owned("app.example.com")],
      want: true,
    },
    {
      case: "a DELETE of a record still there",
      change: { ...recordChange, action: "DELETE" },
      observed: [alias("app.example.com")],
      want: false,
    },
    {
      case: "a DELETE of a record gone",
      change: { ...recordChange, action: "DELETE" },
      observed: [],
      want: true,
    },
  ] as const)("$case: $want", ({ change, observed, want }) => {
    expect(isChangeInEffect(change, observed)).toBe(want);
  });
});

describe("splitIntoBatches", () => {
  const pairs = ["a", "b", "c"].flatMap((h) => createPair(`${h}.example.com`));
  const names = (batches: RecordChange[][]) => batches.map((b) => b.map((c) => c.record.name));

  it.each([
    { case: "nothing", changes: [], limits: undefined, want: [] },
    {
      case: "all in one batch within the limits",
      changes: pairs,
      limits: undefined,
      want: [pairs.map((c) => c.record.name)],
    },
    {
      case: "pairs kept whole when the count limit cuts between them",
      changes: pairs,
      limits: { maxChanges: 3, maxChars: 32_000 },
      want: [
        ["a-a.example.com", "a.example.com"],
        ["a-b.example.com", "b.example.com"],
        ["a-c.example.com", "c.example.com"],
      ],
    },
    {
      case: "pairs cut by the character limit",
      changes: pairs,
      limits: { maxChanges: 1000, maxChars: 180 },
      want: [
        ["a-a.example.com", "a.example.com", "a-b.example.com", "b.example.com"],
        ["a-c.example.com", "c.example.com"],
      ],
    },
    {
      case: "an oversized unit alone",
      changes: pairs.slice(0, 4),
      limits: { maxChanges: 1, maxChars: 32_000 },
      want: [
        ["a-a.example.com", "a.example.com"],
        ["a-b.example.com", "b.example.com"],
      ],
    },
  ])("splits $case", ({ changes, limits, want }) => {
    expect(names(splitIntoBatches(changes, limits))).toEqual(want);
  });

  it("counts an UPSERT twice", () => {
    const upserts: RecordChange[] = ["a", "b"].map((h) => ({
      action: "UPSERT",
      record: { name: `${h}.example.com`, type: "TXT", ttl: 300, values: ['"x"', '"y"'] },
    }));

    expect(splitIntoBatches(upserts, { maxChanges: 4, maxChars: 32_000 })).toHaveLength(2);
    expect(splitIntoBatches(upserts, { maxChanges: 8, maxChars: 32_000 })).toHaveLength(1);
  });

  it("groups adjacent changes of one unit; changes without a unit stand alone", () => {
    const loose: RecordChange = {
      action: "CREATE",
      record: { name: "x.example.com", type: "TXT", values: ['"x"'] },
    };

    expect(groupChangeUnits([loose, ...pairs.slice(0, 2), loose, loose]).map((u) => u.length)).toEqual([
      1, 2, 1, 1,
    ]);
  });
});
