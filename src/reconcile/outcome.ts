// The report step's inputs and the outcome of one group's reconcile, mapped to a queue action in one
// place: done, requeue later (a certificate waiting for ACM), or the failure's own disposition.

import type { ReconcileApplied } from "../apply/apply-reconcile.ts";
import type { Disposition } from "../apply/errors.ts";
import type { DesiredGroup, GroupKey, Problem } from "../model/desired.ts";
import type { GroupState } from "../model/group-state.ts";
import type { ObservedGroupState } from "../observe/observe-group.ts";
import { describeCertificateChange } from "../plan/certificate-planner.ts";
import type { Change } from "../plan/changes.ts";
import type { ReconcilePlan } from "../plan/plan-reconcile.ts";
import type { GroupReport } from "../report/report-group.ts";

/** The outcome of one group's reconcile, mapped to a queue action by the front door. */
export interface ReconcileOutcome {
  readonly group: GroupKey;
  readonly desired: DesiredGroup;
  /** The plan, every resource family (absent when the reconcile failed before planning). */
  readonly plan?: ReconcilePlan;
  /** The ALB changes planned and applied. */
  readonly planned: readonly Change[];
  readonly applied: readonly Change[];
  /** Certificate and DNS changes made, one line each. */
  readonly other?: readonly string[];
  /** Records the group manages (`A host`), and the certificates its HTTPS listeners serve. */
  readonly records?: readonly string[];
  readonly certificates?: readonly string[];
  /** Every problem found: input, certificates, DNS. */
  readonly problems?: readonly Problem[];
  readonly hostname?: string;
  readonly disposition: { readonly action: "done" } | Disposition;
  readonly error?: string;
  /** AWS calls this reconcile made, by `service:operation`. */
  readonly calls: Record<string, number>;
}

/** What the report step tells Kubernetes about the group. */
export function groupReportOf(
  desired: GroupState,
  observed: ObservedGroupState,
  plan: ReconcilePlan,
  done: ReconcileApplied,
  instance: string,
): GroupReport {
  const lb = done.createdLoadBalancer ?? observed.loadBalancer;
  const other = [
    ...done.certificates.filter((c) => c.kind === "requestCertificate").map(describeCertificateChange),
    ...done.records.map((c) => `${c.action} ${c.record.type} ${c.record.name}`),
    ...done.certificates.filter((c) => c.kind === "deleteCertificate").map(describeCertificateChange),
  ];
  return {
    live: desired.live,
    refused: desired.refused,
    hostname: desired.alb.loadBalancer ? lb?.dnsName : undefined,
    applied: done.applied,
    other,
    problems: [...plan.problems, ...done.problems, ...plan.recordProblems],
    ...(plan.pending ? { pending: plan.pending } : {}),
    ...(done.failure ? { failure: done.failure.message } : {}),
    instance,
    // On the fast path nothing was recreated: the fingerprint says the group's ALB is there.
    ...(observed.lostAddresses && !plan.converged ? { lostAddresses: observed.lostAddresses } : {}),
  };
}

/** The outcome, with the queue action: never wait for ACM, come back when it may have issued. */
export function reconcileOutcomeOf(
  desired: GroupState,
  plan: ReconcilePlan,
  done: ReconcileApplied,
  report: GroupReport,
): Omit<ReconcileOutcome, "calls"> {
  const outcome = {
    group: desired.group,
    desired: desired.alb,
    plan,
    planned: plan.loadBalancer.changes,
    applied: done.applied,
    other: report.other ?? [],
    records: plan.wantedRecords,
    certificates: desired.certificates.attach,
    problems: report.problems,
    ...(report.hostname ? { hostname: report.hostname } : {}),
  };
  if (done.failure) return { ...outcome, disposition: done.failure.disposition, error: done.failure.message };
  if (plan.pending)
    return { ...outcome, disposition: { action: "requeue", afterMs: 15_000, reason: "certificate pending" } };
  return { ...outcome, disposition: { action: "done" } };
}
