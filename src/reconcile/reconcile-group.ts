// The pipeline of one Ingress group: observe -> build the desired model -> plan -> apply -> report.
// Level-based: it re-reads what it needs, never depends on what woke it, and a second run of an
// unchanged group makes no AWS change.

import { ApplyError, applyPlan } from "../apply/apply-plan.ts";
import type { Disposition } from "../apply/errors.ts";
import { CallStats, withCallScope } from "../aws/call-layer.ts";
import type { KubeSnapshot } from "../kube/kube-port.ts";
import { buildDesiredGroup } from "../model/build-group.ts";
import type { GroupMembers } from "../model/collect-groups.ts";
import type { DesiredGroup, GroupKey } from "../model/desired.ts";
import { buildGroupFinalizer } from "../model/finalizers.ts";
import type { Ingress } from "../model/kube-objects.ts";
import { type AwsPorts, type ClusterInventory, observeGroup } from "../observe/observe-aws.ts";
import type { Change } from "../plan/changes.ts";
import { planGroup } from "../plan/plan-group.ts";
import { type EventDeduper, type ReportSink, reportGroup } from "../report/report-group.ts";

/** Settings of one Gannet installation. */
export interface ClusterSettings {
  readonly cluster: string;
  readonly vpcId: string;
}

/** The Kubernetes writes a reconcile makes besides reporting. */
export interface FinalizerSink {
  addFinalizer(ingress: Ingress, finalizer: string): Promise<void>;
  removeFinalizer(ingress: Ingress, finalizer: string): Promise<void>;
}

/** Everything a reconcile needs, wired by a front door. */
export interface ReconcileDeps {
  readonly aws: AwsPorts;
  readonly kube: ReportSink & FinalizerSink;
  readonly settings: ClusterSettings;
  readonly dedupe: EventDeduper;
  readonly instance: string;
}

/** The outcome of one group's reconcile, mapped to a queue action by the front door. */
export interface ReconcileOutcome {
  readonly group: GroupKey;
  readonly desired: DesiredGroup;
  readonly planned: readonly Change[];
  readonly applied: readonly Change[];
  readonly hostname?: string;
  readonly disposition: { readonly action: "done" } | Disposition;
  readonly error?: string;
  /** AWS calls this reconcile made, by `service:operation`. */
  readonly calls: Record<string, number>;
}

/** What one group's reconcile reads. */
export interface GroupInput {
  readonly members: GroupMembers;
  readonly snapshot: KubeSnapshot;
  readonly inventory: ClusterInventory;
}

/** Reconciles one group. With `dryRun`, stops after planning (no AWS or Kubernetes write). */
export async function reconcileGroup(
  input: GroupInput,
  deps: ReconcileDeps,
  opts: { readonly dryRun?: boolean } = {},
): Promise<ReconcileOutcome> {
  // Groups run concurrently over shared clients: a scope counts only this group's calls.
  const own = new CallStats();
  const outcome = await withCallScope(own, () => reconcileInScope(input, deps, opts));
  return { ...outcome, calls: own.since(new Map()) };
}

async function reconcileInScope(
  input: GroupInput,
  deps: ReconcileDeps,
  opts: { readonly dryRun?: boolean },
): Promise<Omit<ReconcileOutcome, "calls">> {
  const { members, snapshot, inventory } = input;
  const owner = { cluster: deps.settings.cluster, group: members.group };
  const finalizer = buildGroupFinalizer(members.group);

  const desired = buildDesiredGroup({
    group: members.group,
    members: members.members,
    services: snapshot.services,
    endpointSlices: snapshot.endpointSlices,
    context: { cluster: deps.settings.cluster, vpcId: deps.settings.vpcId, subnets: inventory.subnets },
  });
  const live = members.members.filter((m) => !m.metadata.deletionTimestamp);
  const observed = await observeGroup(deps.aws, inventory, owner);
  const plan = planGroup(desired, observed);
  const outcome = (rest: Partial<ReconcileOutcome> & Pick<ReconcileOutcome, "disposition" | "applied">) => ({
    group: members.group,
    desired,
    planned: plan.changes,
    ...rest,
  });
  const keptArn = desired.loadBalancer
    ? observed.loadBalancers.find((lb) => lb.name === desired.loadBalancer?.name)?.arn
    : undefined;
  if (opts.dryRun) {
    const hostname = inventory.loadBalancers.find((lb) => lb.arn === keptArn)?.dnsName;
    return outcome({ disposition: { action: "done" }, applied: [], ...(hostname ? { hostname } : {}) });
  }

  // The finalizer goes on before any AWS resource exists, so a deletion can never escape cleanup.
  for (const m of live) await deps.kube.addFinalizer(m, finalizer);

  let applied: readonly Change[] = [];
  let failure: ApplyError | undefined;
  let arn = keptArn;
  try {
    const result = await applyPlan(plan, {
      ports: deps.aws,
      owner,
      vpcId: deps.settings.vpcId,
      desired,
      inventory,
    });
    applied = result.applied;
    arn = result.loadBalancerArn ?? keptArn;
  } catch (err) {
    if (!(err instanceof ApplyError)) throw err;
    failure = err;
    applied = err.applied;
  }
  const hostname = desired.loadBalancer
    ? inventory.loadBalancers.find((lb) => lb.arn === arn)?.dnsName
    : undefined;

  await reportGroup(deps.kube, deps.dedupe, {
    live,
    hostname,
    applied,
    problems: desired.problems,
    ...(failure ? { failure: failure.message } : {}),
    instance: deps.instance,
  });
  if (failure) {
    return outcome({
      disposition: failure.disposition,
      applied,
      error: failure.message,
      ...(hostname ? { hostname } : {}),
    });
  }
  // Only once AWS no longer holds their rules may leaving members go.
  if (!desired.halt) for (const m of members.leaving) await deps.kube.removeFinalizer(m, finalizer);
  return outcome({ disposition: { action: "done" }, applied, ...(hostname ? { hostname } : {}) });
}
