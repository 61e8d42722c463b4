// Plan stage: a reconcile plan as `gannet plan` shows it, one readable diff per group (text), or the
// same as plain data (`--output json`).

import { objectKey } from "../model/problems.ts";
import type { RecordChange } from "../types/dns.ts";
import { describeCertificateChange } from "./certificate-planner.ts";
import { describeChange } from "./changes.ts";
import { LOAD_BALANCER_REF } from "./dns-plan.ts";
import { hasChanges, missingFinalizers, type ReconcilePlan } from "./plan-reconcile.ts";

/** One Route53 change as a line: `CREATE A app.example.com -> alias (the new ALB)`. */
export function describeRecordChange(c: RecordChange): string {
  const r = c.record;
  const alias = r.alias?.dnsName;
  const to = alias
    ? ` -> alias ${alias.replace(/^dualstack\./, "") === LOAD_BALANCER_REF ? "(the ALB this reconcile creates)" : alias}`
    : r.values?.length
      ? ` = ${r.values.join(", ")}`
      : "";
  return `${c.action} ${r.type} ${r.name}${to}`;
}

/** The changes of a plan, one line each, in the order apply makes them. */
export function describePlanChanges(plan: ReconcilePlan): string[] {
  return [
    ...missingFinalizers(plan).map((m) => `add finalizer ${plan.finalizer} to Ingress ${objectKey(m)}`),
    ...plan.loadBalancer.changes.map(describeChange),
    ...plan.requestCertificates.map(describeCertificateChange),
    ...validationReferences(plan).map((names) => `then write the validation CNAME ACM names for ${names}`),
    ...plan.records.flatMap((z) => z.changes.map((c) => `Route53 ${z.zoneId}: ${describeRecordChange(c)}`)),
    ...plan.deleteCertificates.map(describeCertificateChange),
    ...plan.removeFinalizers.map((m) => `remove finalizer ${plan.finalizer} from Ingress ${objectKey(m)}`),
  ];
}

/**
 * The validation CNAMEs of the certificates the plan requests: ACM names them only once it has the
 * request, so the pass after it writes them (the group is requeued meanwhile).
 */
function validationReferences(plan: ReconcilePlan): string[] {
  return plan.requestCertificates.flatMap((c) =>
    c.kind === "requestCertificate" ? [c.request.subjectAlternativeNames.join(", ")] : [],
  );
}

/** A plan as plain data, for `gannet plan --output json`. */
export function planToJson(plan: ReconcilePlan): Record<string, unknown> {
  return {
    group: plan.group,
    inSync: !hasChanges(plan),
    converged: plan.converged,
    finalizers: {
      add: missingFinalizers(plan).map(objectKey),
      remove: plan.removeFinalizers.map(objectKey),
    },
    stateTag: plan.stateTag,
    loadBalancer: plan.loadBalancer.changes.map((c) => ({ ...c, description: describeChange(c) })),
    certificates: {
      request: plan.requestCertificates.map((c) => ({ ...c, description: describeCertificateChange(c) })),
      delete: plan.deleteCertificates.map((c) => ({ ...c, description: describeCertificateChange(c) })),
    },
    records: plan.records.flatMap((z) =>
      z.changes.map((c) => ({ zoneId: z.zoneId, ...c, description: describeRecordChange(c) })),
    ),
    /** Validation CNAMEs a later pass writes, once ACM names them. */
    validationReferences: validationReferences(plan).map((names) => ({
      for: names,
      after: "requestCertificate",
    })),
    wantedRecords: plan.wantedRecords,
    ...(plan.pending ? { pending: plan.pending } : {}),
  };
}
