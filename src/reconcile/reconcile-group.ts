// The pipeline of one Ingress group: build the desired state (pure) -> observe -> plan (pure) -> apply
// -> report, each step once. What the build reads was observed before: by the pass, the Kubernetes
// objects and the AWS inventory found by ownership tags; for the group, the security groups its Ingresses
// name. Level-based: it re-reads what it needs, never depends on what woke it, and a second run of an
// unchanged group changes nothing.

import { applyReconcilePlan, type FinalizerSink, NOTHING_APPLIED } from "../apply/apply-reconcile.ts";
import { CallStats, withCallScope } from "../aws/call-layer.ts";
import { objectKey } from "../model/problems.ts";
import { type AwsPorts, lookUpSecurityGroups } from "../observe/observe-aws.ts";
import { observeGroupState } from "../observe/observe-group.ts";
import { rememberApplied } from "../observe/remember-applied.ts";
import { planReconcile } from "../plan/plan-reconcile.ts";
import { type EventDeduper, type ReportSink, reportGroup } from "../report/report-group.ts";
import { securityGroupEntriesOf } from "../sources/ingress/settings/security-group-entries.ts";
import { buildGroupState, type ClusterSettings, type GroupInput } from "./build-group-state.ts";
import { groupReportOf, type ReconcileOutcome, reconcileOutcomeOf } from "./outcome.ts";

/** Everything a reconcile needs, wired by a front door. */
export interface ReconcileDeps {
  readonly aws: AwsPorts;
  readonly kube: ReportSink & FinalizerSink;
  readonly settings: ClusterSettings;
  readonly dedupe: EventDeduper;
  readonly instance: string;
}

/** How a reconcile runs. */
export interface ReconcileOptions {
  /** Plan only: no AWS or Kubernetes write. */
  readonly dryRun?: boolean;
  /**
   * Read the group's AWS state even when its ALB's fingerprint says it is converged (catches changes
   * made outside Gannet). Without it an unchanged group costs no per-group AWS read.
   */
  readonly verify?: boolean;
}

/** Reconciles one group. With `dryRun`, stops after planning (no AWS or Kubernetes write). */
export async function reconcileGroup(
  input: GroupInput,
  deps: ReconcileDeps,
  opts: ReconcileOptions = {},
): Promise<ReconcileOutcome> {
  // Groups run concurrently over shared clients: a scope counts only this group's calls.
  const own = new CallStats();
  const outcome = await withCallScope(own, async () =>
    reconcileInScope({ ...input, ...(await lookUpNamedSecurityGroups(input, deps)) }, deps, opts),
  );
  return { ...outcome, calls: own.since(new Map()) };
}

/**
 * What the `security-groups` names of the live members resolve to: looked up every pass (one call,
 * shared by the pass), so a renamed or deleted group changes the desired state, and so the fingerprint.
 */
async function lookUpNamedSecurityGroups(
  input: GroupInput,
  deps: ReconcileDeps,
): Promise<{ securityGroups?: ReadonlyMap<string, readonly string[]> }> {
  const entries = securityGroupEntriesOf(input.members.members.filter((m) => !m.metadata.deletionTimestamp));
  if (entries.length === 0) return {};
  const found = await lookUpSecurityGroups(deps.aws, input.inventory, deps.settings.vpcId, entries);
  return { securityGroups: found };
}

async function reconcileInScope(input: GroupInput, deps: ReconcileDeps, opts: ReconcileOptions) {
  const { settings } = deps;
  const desired = buildGroupState(input, settings);
  const observed = await observeGroupState(deps.aws, input.inventory, desired, {
    vpcId: settings.vpcId,
    filters: settings.dnsFilters,
    ...(opts.verify !== undefined ? { verify: opts.verify } : {}),
  });
  const plan = planReconcile(desired, observed, settings);
  const done = opts.dryRun
    ? NOTHING_APPLIED
    : await applyReconcilePlan(plan, {
        ports: deps.aws,
        kube: deps.kube,
        owner: desired.owner,
        vpcId: settings.vpcId,
        desired: desired.alb,
        reportOn: objectKey(
          desired.live[0] ?? desired.leaving[0] ?? { metadata: { namespace: "", name: desired.group } },
        ),
      });
  rememberApplied(input.inventory, done.effects);
  const report = groupReportOf(desired, observed, plan, done, deps.instance);
  if (!opts.dryRun) await reportGroup(deps.kube, deps.dedupe, report);
  return reconcileOutcomeOf(desired, plan, done, report);
}
