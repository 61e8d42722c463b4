import { describe, expect, it } from "vitest";
import { applyReconcilePlan, type FinalizerSink } from "../apply/apply-reconcile.ts";
import type { Ingress } from "../model/kube-objects.ts";
import { TAG } from "../model/ownership.ts";
import type { AwsPorts, ClusterInventory } from "../observe/observe-aws.ts";
import type { ObservedGroupState } from "../observe/observe-group.ts";
import { LOAD_BALANCER_REF } from "../plan/dns-plan.ts";
import { hasChanges, planReconcile, type ReconcilePlan } from "../plan/plan-reconcile.ts";
import type { GroupMembers } from "../sources/ingress/groups/collect-groups.ts";
import {
  alb,
  certificate,
  endpointSlice,
  ingress,
  NS,
  path,
  SUBNETS,
  service,
} from "../testing/test-fixtures.ts";
import { EMPTY_OBSERVED_GROUP, type LoadBalancerSummary } from "../types/alb.ts";
import type { RecordChange } from "../types/dns.ts";
import { buildGroupState, type ClusterSettings, type GroupInput } from "./build-group-state.ts";

const HOST = "app.example.com";
const ZONE = { id: "Z1", name: "example.com", private: false };
const SETTINGS: ClusterSettings = {
  cluster: "gannet-dev",
  vpcId: "vpc-0example",
  registry: { ownerId: "gannet-dev", policy: "sync" },
  dnsFilters: { domainFilters: [], zoneIdFilters: [] },
};

function tlsIngress(o: { deleting?: boolean; finalizers?: string[] } = {}): Ingress {
  const base = ingress("web", {
    className: "gannet",
    annotations: alb({ scheme: "internet-facing" }),
    rules: [{ host: HOST, http: { paths: [path("/", "Prefix")] } }],
    ...(o.deleting ? { deleting: true } : {}),
  });
  return {
    ...base,
    metadata: { ...base.metadata, ...(o.finalizers ? { finalizers: o.finalizers } : {}) },
    spec: { ...base.spec, tls: [{ hosts: [HOST] }] },
  };
}

function inventory(o: Partial<ClusterInventory> = {}): ClusterInventory {
  return {
    cluster: SETTINGS.cluster,
    loadBalancers: [],
    targetGroups: [],
    securityGroups: [],
    subnets: SUBNETS,
    certificates: [],
    dns: { zones: [ZONE], recordSets: new Map() },
    liveLoadBalancers: [],
    ...o,
  };
}

function input(members: GroupMembers, inv = inventory()): GroupInput {
  return {
    members,
    inventory: inv,
    snapshot: {
      ingressClasses: [],
      ingresses: [...members.members, ...members.leaving],
      services: [service("web")],
      endpointSlices: [endpointSlice("web", [{ ip: "10.0.0.1" }])],
      classParameters: [],
    },
  };
}

function observedNothing(inv: ClusterInventory, o: Partial<ObservedGroupState> = {}): ObservedGroupState {
  return {
    converged: false,
    alb: EMPTY_OBSERVED_GROUP,
    recordSets: new Map([[ZONE.id, []]]),
    readErrors: [],
    zones: inv.dns.zones,
    certificates: inv.certificates,
    existingLoadBalancers: [],
    ...o,
  };
}

const line = (c: RecordChange) => `${c.action} ${c.record.type} ${c.record.name}`;

describe("planReconcile", () => {
  it("plans a new TLS Ingress in one value: ALB, certificate request, alias and TXT to the new ALB", () => {
    const members = { group: `${NS}/web`, members: [tlsIngress()], leaving: [], problems: [], refused: [] };
    const inv = inventory();
    const desired = buildGroupState(input(members, inv), SETTINGS);

    const plan = planReconcile(desired, observedNothing(inv), SETTINGS);

    expect(plan.loadBalancer.changes.map((c) => c.kind)).toContain("createLoadBalancer");
    expect(plan.requestCertificates).toEqual([
      expect.objectContaining({
        kind: "requestCertificate",
        request: expect.objectContaining({ domainName: HOST }),
      }),
    ]);
    expect(plan.records.map((z) => z.zoneId)).toEqual([ZONE.id]);
    const changes = plan.records[0]?.changes ?? [];
    // The TXT ownership record goes first, as ExternalDNS writes it.
    expect(changes.map(line)).toEqual([`CREATE TXT a-${HOST}`, `CREATE A ${HOST}`]);
    expect(changes[1]?.record.alias?.dnsName).toBe(LOAD_BALANCER_REF);
    // Waiting for ACM: no fingerprint is written, and the group comes back.
    expect(plan.stateTag).toEqual({ invalidate: false });
    expect(plan.pending).toContain(HOST);
    expect(plan.addFinalizers).toEqual(members.members);
    expect(hasChanges(plan)).toBe(true);
  });

  it("plans nothing when the fingerprint says AWS holds the group", () => {
    const desired = buildGroupState(
      input({
        group: `${NS}/plain`,
        members: [ingress("plain", { className: "gannet" })],
        leaving: [],
        problems: [],
        refused: [],
      }),
      SETTINGS,
    );
    const withFinalizer = desired.live.map((m) => ({
      ...m,
      metadata: { ...m.metadata, finalizers: [desired.finalizer] },
    }));

    const plan = planReconcile(
      { ...desired, live: withFinalizer },
      observedNothing(inventory(), { converged: true }),
      SETTINGS,
    );

    expect(plan.converged).toBe(true);
    expect(plan.loadBalancer.changes).toEqual([]);
    expect(plan.records).toEqual([]);
    expect(hasChanges(plan)).toBe(false);
  });

  it("retires a deleted group's certificate after its validation CNAME, and lets its member go", () => {
    const validation = {
      name: `_abc.${HOST}.`,
      type: "CNAME",
      value: "_x.acm-validations.aws.",
      domain: HOST,
    };
    const cert = certificate("c1", [HOST], {
      tags: { [TAG.cluster]: SETTINGS.cluster, [TAG.group]: `${NS}/web`, [TAG.resource]: "certificate" },
      validation: [validation],
    });
    const inv = inventory({ certificates: [cert] });
    const leaving = tlsIngress({ deleting: true, finalizers: ["x"] });
    const desired = buildGroupState(
      input({ group: `${NS}/web`, members: [], leaving: [leaving], problems: [], refused: [] }, inv),
      SETTINGS,
    );
    const cname = { name: `_abc.${HOST}`, type: "CNAME", ttl: 300, values: [validation.value] };

    const plan = planReconcile(
      desired,
      observedNothing(inv, { recordSets: new Map([[ZONE.id, [cname]]]) }),
      SETTINGS,
    );

    expect(plan.deleteCertificates.map((c) => c.kind === "deleteCertificate" && c.arn)).toEqual([cert.arn]);
    expect(plan.records.flatMap((z) => z.changes.map(line))).toEqual([`DELETE CNAME _abc.${HOST}`]);
    expect(plan.removeFinalizers).toEqual([leaving]);
    expect(plan.stateTag.write).toBeUndefined();
  });
});

/** AWS and Kubernetes ports that record every call, in order. */
function recorder(o: { failCreateListener?: boolean } = {}) {
  const calls: string[] = [];
  const created: LoadBalancerSummary = {
    arn: "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/gannet-web/1",
    name: "gannet-web",
    dnsName: "gannet-web-1.us-east-1.elb.amazonaws.com",
    canonicalHostedZoneId: "ZALB",
    scheme: "internal",
    ipAddressType: "ipv4",
    subnetIds: [],
    securityGroupIds: [],
    tags: {},
  };
  const sent: RecordChange[] = [];
  const record =
    (name: string, value?: unknown) =>
    async (...args: unknown[]) => {
      calls.push(name);
      if (name === "CreateListener" && o.failCreateListener) throw new Error("refused");
      if (name === "ChangeResourceRecordSets") sent.push(...(args[1] as RecordChange[]));
      return value;
    };
  const ports = {
    elbv2: new Proxy(
      {},
      {
        get: (_, op: string) =>
          op === "createLoadBalancer"
            ? record("CreateLoadBalancer", created)
            : record(op.charAt(0).toUpperCase() + op.slice(1), `arn-${op}`),
      },
    ),
    ec2: new Proxy({}, { get: (_, op: string) => record(`ec2.${op}`, "sg-1") }),
    acm: { requestCertificate: record("RequestCertificate"), deleteCertificate: record("DeleteCertificate") },
    route53: { changeRecordSets: record("ChangeResourceRecordSets", { applied: 1, failed: [] }) },
    wafv2: {},
  } as unknown as AwsPorts;
  const kube: FinalizerSink = {
    addFinalizer: async () => void calls.push("addFinalizer"),
    removeFinalizer: async () => void calls.push("removeFinalizer"),
  };
  return { calls, sent, ports, kube, created };
}

function newTlsGroupPlan(): { plan: ReconcilePlan; desired: ReturnType<typeof buildGroupState> } {
  const members = { group: `${NS}/web`, members: [tlsIngress()], leaving: [], problems: [], refused: [] };
  const inv = inventory();
  const desired = buildGroupState(input(members, inv), SETTINGS);
  return { plan: planReconcile(desired, observedNothing(inv), SETTINGS), desired };
}

describe("applyReconcilePlan", () => {
  it("puts the finalizer on first, the ALB before the certificate request, and records after both", async () => {
    const { plan, desired } = newTlsGroupPlan();
    const r = recorder();

    const done = await applyReconcilePlan(plan, {
      ports: r.ports,
      kube: r.kube,
      owner: desired.owner,
      vpcId: SETTINGS.vpcId,
      desired: desired.alb,
      reportOn: `${NS}/web`,
    });

    expect(done.failure).toBeUndefined();
    const at = (op: string) => r.calls.indexOf(op);
    expect(at("addFinalizer")).toBe(0);
    expect(at("CreateLoadBalancer")).toBeGreaterThan(at("addFinalizer"));
    expect(at("CreateRule")).toBeLessThan(at("RequestCertificate"));
    expect(at("RequestCertificate")).toBeLessThan(at("ChangeResourceRecordSets"));
    // The alias names the ALB apply created, not the plan's reference.
    expect(r.sent.find((c) => c.record.type === "A")?.record.alias?.dnsName).toBe(r.created.dnsName);
    // Pending certificate: no fingerprint yet.
    expect(r.calls).not.toContain("AddTags");
    expect(done.effects.map((e) => e.kind)).toEqual(
      expect.arrayContaining(["loadBalancerCreated", "targetGroupCreated", "recordsChanged"]),
    );
  });

  it("stops at a failed ALB change: no certificate, record, fingerprint or finalizer release after it", async () => {
    const { plan, desired } = newTlsGroupPlan();
    const r = recorder({ failCreateListener: true });

    const done = await applyReconcilePlan(plan, {
      ports: r.ports,
      kube: r.kube,
      owner: desired.owner,
      vpcId: SETTINGS.vpcId,
      desired: desired.alb,
      reportOn: `${NS}/web`,
    });

    expect(done.failure?.message).toContain("could not create HTTP listener on port 80");
    expect(r.calls.at(-1)).toBe("CreateListener");
    expect(r.calls).not.toContain("RequestCertificate");
    expect(r.calls).not.toContain("ChangeResourceRecordSets");
    // What was created before the failure still reaches the inventory.
    expect(done.effects.map((e) => e.kind)).toContain("loadBalancerCreated");
  });

  it("removes the fingerprint before any change and writes it last, then lets leaving members go", async () => {
    const kept: LoadBalancerSummary = { ...recorder().created, tags: { [TAG.state]: "old" } };
    const { plan } = newTlsGroupPlan();
    const leaving = tlsIngress({ deleting: true });
    const { pending: _, ...rest } = plan;
    const converging: ReconcilePlan = {
      ...rest,
      requestCertificates: [],
      removeFinalizers: [leaving],
      stateTag: { loadBalancerArn: kept.arn, invalidate: true, write: "new" },
      loadBalancer: {
        changes: [{ kind: "deleteTargetGroup", targetGroupArn: "tg-1", name: "old-tg" }],
        bindings: { loadBalancerArn: kept.arn, targetGroupArns: {}, listenerArns: {} },
      },
    };
    const r = recorder();
    const desired = buildGroupState(
      input({ group: `${NS}/web`, members: [tlsIngress()], leaving: [], problems: [], refused: [] }),
      SETTINGS,
    );

    const done = await applyReconcilePlan(converging, {
      ports: r.ports,
      kube: r.kube,
      owner: desired.owner,
      vpcId: SETTINGS.vpcId,
      desired: desired.alb,
      reportOn: `${NS}/web`,
    });

    expect(done.failure).toBeUndefined();
    expect(r.calls).toEqual([
      "addFinalizer",
      "RemoveTags",
      "DeleteTargetGroup",
      "ChangeResourceRecordSets",
      "AddTags",
      "removeFinalizer",
    ]);
  });
});
