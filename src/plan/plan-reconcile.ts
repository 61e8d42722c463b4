// Plan stage: one value holding everything a group's reconcile changes, ALB, ACM and Route53, with the
// fingerprint and finalizer steps around them. Pure. Apply carries it out in the order AWS needs:
//   1. the finalizer on every live member, before any AWS resource exists;
//   2. the fingerprint removed from the ALB before the first change;
//   3. the ALB changes (stale ALBs, security groups, ALB, target groups, listeners, rules, cleanup);
//   4. certificate requests, after the ALB work, so a refused request never holds back targets or rules;
//   5. Route53, zone by zone: alias and TXT records, validation CNAMEs written and retired;
//   6. certificate deletions, once detached and their validation records retired;
//   7. when all succeeded: the fingerprint written, then the finalizers of leaving members removed.
// Values known only after apply are references: the DNS name of an ALB this reconcile creates is
// `LOAD_BALANCER_REF`; validation CNAMEs of a certificate just requested come with a later pass (requeue).

import type { GroupKey, Problem } from "../model/desired.ts";
import type { GroupState } from "../model/group-state.ts";
import type { Ingress } from "../model/kube-objects.ts";
import { TAG } from "../model/ownership.ts";
import type { CertificateChoice } from "../model/tls/certificates.ts";
import type { ObservedGroupState } from "../observe/observe-group.ts";
import type { LoadBalancerSummary } from "../types/alb.ts";
import {
  type CertificateChange,
  planCertificateDeletions,
  planCertificates,
  retiredValidationNames,
} from "./certificate-planner.ts";
import {
  type DnsFilters,
  LOAD_BALANCER_REF,
  planGroupRecords,
  type RecordPlan,
  type ZoneChanges,
} from "./dns-plan.ts";
import { type GroupPlan, planGroup } from "./plan-group.ts";
import type { RegistrySettings } from "./record-planner.ts";

/** The settings the plan depends on. */
export interface PlanSettings {
  readonly registry: RegistrySettings;
  readonly dnsFilters: DnsFilters;
}

/** The fingerprint steps: removed before the first change, written once everything succeeded. */
export interface StateTagPlan {
  /** The group's ALB that carries a fingerprint now. */
  readonly loadBalancerArn?: string;
  readonly invalidate: boolean;
  /** The fingerprint to write on the group's ALB (kept or new) once everything succeeded. */
  readonly write?: string;
}

/** Everything one group's reconcile changes, in apply's order. */
export interface ReconcilePlan {
  readonly group: GroupKey;
  readonly finalizer: string;
  /** True when the fingerprint said AWS holds the group: nothing was read, nothing is planned in AWS. */
  readonly converged: boolean;
  /** Live members: each gets the group's finalizer (a no-op where it is there already). */
  readonly addFinalizers: readonly Ingress[];
  readonly stateTag: StateTagPlan;
  readonly loadBalancer: GroupPlan;
  readonly requestCertificates: readonly CertificateChange[];
  /** Route53 changes per hosted zone. */
  readonly records: readonly ZoneChanges[];
  readonly deleteCertificates: readonly CertificateChange[];
  /** Leaving members whose finalizer goes once AWS no longer holds their rules and records. */
  readonly removeFinalizers: readonly Ingress[];
  /** The group's alias records (`A host`). */
  readonly wantedRecords: readonly string[];
  /** Problems of the input and of what the plan cannot do. */
  readonly problems: readonly Problem[];
  /** Problems found planning DNS (a name another owner holds). */
  readonly recordProblems: readonly Problem[];
  /** Why HTTPS is not served yet (a certificate waiting for validation). */
  readonly pending?: string;
  /** Reads that failed: what they cover is left alone, and the reconcile is retried. */
  readonly readErrors: readonly unknown[];
}

const NO_ALB_CHANGES: GroupPlan = { changes: [], bindings: { targetGroupArns: {}, listenerArns: {} } };

/** Plans a group's reconcile: desired against observed, every resource family in one value. */
export function planReconcile(
  desired: GroupState,
  observed: ObservedGroupState,
  settings: PlanSettings,
): ReconcilePlan {
  const { alb, certificates: choice } = desired;
  const base = {
    group: desired.group,
    finalizer: desired.finalizer,
    converged: observed.converged,
    addFinalizers: desired.live,
    problems: [...alb.problems, ...choice.problems],
    readErrors: observed.readErrors,
  };
  if (observed.converged) {
    return {
      ...base,
      stateTag: { invalidate: false },
      loadBalancer: NO_ALB_CHANGES,
      requestCertificates: [],
      records: [],
      deleteCertificates: [],
      removeFinalizers: [],
      wantedRecords: [],
      recordProblems: [],
    };
  }
  const lbPlan = planGroup(alb, observed.alb);
  const halt = alb.halt !== undefined;
  const kept = observed.loadBalancer;
  const creating = lbPlan.changes.some((c) => c.kind === "createLoadBalancer");
  const existing = observed.existingLoadBalancers;
  const requests = halt ? [] : planCertificates(choice, { deleteUnused: false });
  const deletions = halt
    ? []
    : planCertificateDeletions({
        choice,
        listenerCertificateArns: alb.listeners.flatMap((l) => l.certificateArns ?? []),
        groupLoadBalancerArns: new Set(observed.alb.loadBalancers.map((lb) => lb.arn)),
        ...(existing ? { liveLoadBalancerArns: new Set(existing.map((lb) => lb.arn)) } : {}),
      });
  const dns = halt
    ? { records: [], zones: [], problems: [] }
    : planRecordsOf(desired, observed, settings, { deletions, creating });
  // A refused read leaves certificates alone: their validation records may be in the zone not read.
  const deleteCertificates = observed.readErrors.length > 0 ? [] : deletions;
  const pending = choice.requests.length + choice.pending.length > 0;
  const changes =
    lbPlan.changes.length +
    requests.length +
    // Certificates no host needs are work the fingerprint must not claim done while they remain.
    (halt ? 0 : choice.unused.length) +
    dns.zones.length +
    deleteCertificates.length;
  // A plan that cannot do everything (a target's security group unknown) leaves no fingerprint.
  const complete = !pending && !halt && alb.loadBalancer !== undefined && !lbPlan.problems?.length;
  const stateTag = planStateTag(desired, kept, { changes, creating, complete });
  return {
    ...base,
    problems: [...alb.problems, ...(lbPlan.problems ?? []), ...choice.problems],
    stateTag,
    loadBalancer: lbPlan,
    requestCertificates: requests,
    records: dns.zones,
    deleteCertificates,
    // A halted group changes nothing in AWS, but its live members' finalizers still guard its cleanup: a
    // leaving member's leftovers are the group's, removed by its next full reconcile, so its deletion never hangs.
    removeFinalizers: !halt || desired.live.length > 0 ? desired.leaving : [],
    wantedRecords: dns.records.map((r) => `${r.type} ${r.name}`),
    recordProblems: dns.problems,
    ...(pending ? { pending: pendingMessage(choice) } : {}),
  };
}

/** The group's records: alias records to its ALB (kept, or the reference to the one apply creates). */
function planRecordsOf(
  desired: GroupState,
  observed: ObservedGroupState,
  settings: PlanSettings,
  alb: { readonly deletions: readonly CertificateChange[]; readonly creating: boolean },
): RecordPlan {
  const lb = desired.alb.loadBalancer;
  const kept = observed.loadBalancer;
  const existing = observed.existingLoadBalancers;
  const target = kept
    ? { dnsName: kept.dnsName, hostedZoneId: kept.canonicalHostedZoneId }
    : alb.creating
      ? { dnsName: LOAD_BALANCER_REF, hostedZoneId: LOAD_BALANCER_REF }
      : undefined;
  const normalize = (dnsName: string) => dnsName.toLowerCase().replace(/\.$/, "");
  return planGroupRecords({
    zones: observed.zones,
    live: desired.live,
    leaving: desired.leaving,
    filters: settings.dnsFilters,
    validation: desired.validation,
    retiredValidation: retiredValidationNames(observed.certificates, alb.deletions),
    recordSets: observed.recordSets,
    registry: settings.registry,
    ownTargets: new Set(
      [...observed.alb.loadBalancers, ...(kept ? [kept] : [])].map((l) => normalize(l.dnsName)),
    ),
    ...(existing ? { liveTargets: new Set(existing.map((l) => l.dnsName.toLowerCase())) } : {}),
    ...(lb && target
      ? {
          target: {
            ...target,
            dualstack: lb.ipAddressType === "dualstack",
            internal: lb.scheme === "internal",
          },
        }
      : {}),
  });
}

/**
 * The fingerprint steps: removed before the first change when the ALB carries one; written once
 * everything succeeded, on the kept ALB when it differs (or was removed) or on the ALB apply creates.
 */
function planStateTag(
  desired: GroupState,
  kept: LoadBalancerSummary | undefined,
  plan: { readonly changes: number; readonly creating: boolean; readonly complete: boolean },
): StateTagPlan {
  const current = kept?.tags[TAG.state];
  const invalidate = current !== undefined && plan.changes > 0;
  const write =
    plan.complete &&
    (kept !== undefined || plan.creating) &&
    (invalidate || plan.creating || current !== desired.fingerprint);
  return {
    ...(kept && current !== undefined ? { loadBalancerArn: kept.arn } : {}),
    invalidate,
    ...(write ? { write: desired.fingerprint } : {}),
  };
}

/** True when the plan changes something in AWS or Kubernetes (the fingerprint aside). */
export function hasChanges(plan: ReconcilePlan): boolean {
  return (
    plan.loadBalancer.changes.length +
      plan.requestCertificates.length +
      plan.records.length +
      plan.deleteCertificates.length +
      plan.removeFinalizers.length +
      missingFinalizers(plan).length >
    0
  );
}

/** Live members that do not carry the group's finalizer yet. */
export function missingFinalizers(plan: ReconcilePlan): Ingress[] {
  return plan.addFinalizers.filter((m) => !(m.metadata.finalizers ?? []).includes(plan.finalizer));
}

function pendingMessage(choice: CertificateChoice): string {
  const hosts = [
    ...choice.requests.flatMap((r) => r.subjectAlternativeNames),
    ...choice.pending.flatMap((p) => p.names),
  ];
  return `certificate for ${[...new Set(hosts)].sort().join(", ")} is pending validation: HTTPS is served once ACM issues it (HTTP meanwhile)`;
}
