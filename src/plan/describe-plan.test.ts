import { describe, expect, it } from "vitest";
import type { Ingress } from "../model/kube-objects.ts";
import { describePlanChanges, describeRecordChange, planToJson } from "./describe-plan.ts";
import { LOAD_BALANCER_REF } from "./dns-plan.ts";
import type { ReconcilePlan } from "./plan-reconcile.ts";

const member = (name: string, finalizers: string[] = []): Ingress => ({
  metadata: { namespace: "apps", name, finalizers },
  spec: {},
});

const plan: ReconcilePlan = {
  group: "apps/web",
  finalizer: "gannet.io/group.apps.web",
  converged: false,
  addFinalizers: [member("web"), member("api", ["gannet.io/group.apps.web"])],
  stateTag: { invalidate: false, write: "hash" },
  loadBalancer: {
    changes: [{ kind: "deleteTargetGroup", targetGroupArn: "arn:tg", name: "old-tg" }],
    bindings: { targetGroupArns: {}, listenerArns: {} },
  },
  requestCertificates: [
    {
      kind: "requestCertificate",
      request: {
        domainName: "app.example.com",
        subjectAlternativeNames: ["app.example.com"],
        idempotencyToken: "t",
        tags: {},
        ingress: "apps/web",
      },
    },
  ],
  records: [
    {
      zoneId: "Z1",
      changes: [
        {
          action: "CREATE",
          record: {
            name: "app.example.com",
            type: "A",
            alias: {
              dnsName: LOAD_BALANCER_REF,
              hostedZoneId: LOAD_BALANCER_REF,
              evaluateTargetHealth: true,
            },
          },
        },
        { action: "CREATE", record: { name: "a-app.example.com", type: "TXT", ttl: 300, values: ['"v"'] } },
      ],
    },
  ],
  deleteCertificates: [
    { kind: "deleteCertificate", arn: "arn:cert", names: ["old.example.com"], reason: "unused" },
  ],
  removeFinalizers: [member("gone")],
  wantedRecords: ["A app.example.com"],
  problems: [],
  recordProblems: [],
  readErrors: [],
};

describe("describePlanChanges", () => {
  it("lists every change in apply's order, the finalizers only where missing", () => {
    expect(describePlanChanges(plan)).toEqual([
      "add finalizer gannet.io/group.apps.web to Ingress apps/web",
      "delete target group old-tg",
      "request certificate for app.example.com (apps/web)",
      "then write the validation CNAME ACM names for app.example.com",
      "Route53 Z1: CREATE A app.example.com -> alias (the ALB this reconcile creates)",
      'Route53 Z1: CREATE TXT a-app.example.com = "v"',
      "delete certificate arn:cert for old.example.com: unused",
      "remove finalizer gannet.io/group.apps.web from Ingress apps/gone",
    ]);
  });
});

describe("describeRecordChange", () => {
  it("names an existing ALB by its DNS name, dualstack prefix and all", () => {
    const alias = {
      dnsName: "dualstack.web-1.elb.amazonaws.com",
      hostedZoneId: "Z",
      evaluateTargetHealth: true,
    };

    expect(
      describeRecordChange({ action: "UPSERT", record: { name: "a.example.com", type: "A", alias } }),
    ).toBe("UPSERT A a.example.com -> alias dualstack.web-1.elb.amazonaws.com");
  });
});

describe("planToJson", () => {
  it("says whether the group is in sync and carries each family apart", () => {
    const json = planToJson(plan);

    expect(json).toMatchObject({
      group: "apps/web",
      inSync: false,
      finalizers: { add: ["apps/web"], remove: ["apps/gone"] },
      stateTag: { invalidate: false, write: "hash" },
      validationReferences: [{ for: "app.example.com", after: "requestCertificate" }],
      wantedRecords: ["A app.example.com"],
    });
    expect((json.records as unknown[]).length).toBe(2);
  });
});
