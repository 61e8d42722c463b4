// Apply stage: carry out a group's reconcile plan in the order AWS needs (see plan/plan-reconcile.ts),
// and return what was done. A failed ALB change stops the rest; a refused certificate call is reported on
// its Ingress and holds nothing back; the fingerprint is written, and leaving members let go, only when
// everything succeeded.

import { randomUUID } from "node:crypto";
import type { DesiredGroup, Problem } from "../model/desired.ts";
import type { Ingress } from "../model/kube-objects.ts";
import { type Owner, shortHash, TAG } from "../model/ownership.ts";
import type { AwsPorts } from "../observe/observe-aws.ts";
import type { CertificateChange } from "../plan/certificate-planner.ts";
import type { Change } from "../plan/changes.ts";
import { resolveLoadBalancerRef } from "../plan/dns-plan.ts";
import type { ReconcilePlan } from "../plan/plan-reconcile.ts";
import type { LoadBalancerSummary } from "../types/alb.ts";
import type { RecordChange } from "../types/dns.ts";
import type { InventoryEffect } from "../types/effects.ts";
import { applyPlan } from "./apply-plan.ts";
import { classifyAwsError, type Disposition } from "./errors.ts";

/** The Kubernetes writes a reconcile makes besides reporting. */
export interface FinalizerSink {
  addFinalizer(ingress: Ingress, finalizer: string): Promise<void>;
  removeFinalizer(ingress: Ingress, finalizer: string): Promise<void>;
}

/** What applying a reconcile plan needs besides the plan. */
export interface ReconcileApplyContext {
  readonly ports: AwsPorts;
  readonly kube: FinalizerSink;
  readonly owner: Owner;
  readonly vpcId: string;
  readonly desired: DesiredGroup;
  /** Where a refused certificate deletion is reported (`namespace/name`). */
  readonly reportOn: string;
}

/** What an apply did. */
export interface ReconcileApplied {
  readonly applied: readonly Change[];
  readonly certificates: readonly CertificateChange[];
  readonly records: readonly RecordChange[];
  /** ACM refusals, reported on their Ingress (they never block the rest). */
  readonly problems: readonly Problem[];
  /** The ALB this apply created. */
  readonly createdLoadBalancer?: LoadBalancerSummary;
  readonly effects: readonly InventoryEffect[];
  readonly failure?: { readonly message: string; readonly disposition: Disposition };
}

/** What a dry run did: nothing. */
export const NOTHING_APPLIED: ReconcileApplied = {
  applied: [],
  certificates: [],
  records: [],
  problems: [],
  effects: [],
};

/** Carries out the plan, in its order. */
export async function applyReconcilePlan(
  plan: ReconcilePlan,
  ctx: ReconcileApplyContext,
): Promise<ReconcileApplied> {
  // The finalizer goes on before any AWS resource exists, so a deletion can never escape cleanup.
  for (const m of plan.addFinalizers) await ctx.kube.addFinalizer(m, plan.finalizer);
  const done = new Progress();
  try {
    await invalidateStateTag(plan, ctx, done);
    const alb = await applyPlan(plan.loadBalancer, ctx);
    done.effects.push(...alb.effects);
    done.applied = alb.applied;
    done.createdLoadBalancer = alb.createdLoadBalancer;
    if (alb.failure) return done.failed(alb.failure.message, alb.failure.disposition);
    // After the ALB work, so a refused certificate call never holds back targets or rules.
    for (const c of plan.requestCertificates) await requestCertificate(c, ctx, done);
    const failed = await applyRecords(plan, ctx, done);
    // After their validation records are retired: a crash in between leaves a certificate the next
    // reconcile still sees (and deletes), never a validation record no certificate names any more.
    for (const c of plan.deleteCertificates) await deleteCertificate(c, ctx, done);
    const [readError] = plan.readErrors;
    if (readError !== undefined) return done.failed(errorText(readError), classifyAwsError(readError));
    if (failed.length) return done.failed(`Route53 refused: ${failed.join("; ")}`, { action: "retry" });
    await writeStateTag(plan, ctx, done);
    // Only once AWS no longer holds their rules and records may leaving members go.
    for (const m of plan.removeFinalizers) await ctx.kube.removeFinalizer(m, plan.finalizer);
  } catch (err) {
    return done.failed(errorText(err), classifyAwsError(err));
  }
  return done.result();
}

class Progress {
  applied: readonly Change[] = [];
  createdLoadBalancer: LoadBalancerSummary | undefined;
  readonly certificates: CertificateChange[] = [];
  readonly records: RecordChange[] = [];
  readonly problems: Problem[] = [];
  readonly effects: InventoryEffect[] = [];

  result(failure?: ReconcileApplied["failure"]): ReconcileApplied {
    return {
      applied: this.applied,
      certificates: this.certificates,
      records: this.records,
      problems: this.problems,
      effects: this.effects,
      ...(this.createdLoadBalancer ? { createdLoadBalancer: this.createdLoadBalancer } : {}),
      ...(failure ? { failure } : {}),
    };
  }

  failed(message: string, disposition: Disposition): ReconcileApplied {
    return this.result({ message, disposition });
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

async function invalidateStateTag(plan: ReconcilePlan, ctx: ReconcileApplyContext, done: Progress) {
  const arn = plan.stateTag.loadBalancerArn;
  if (!plan.stateTag.invalidate || !arn) return;
  await ctx.ports.elbv2.removeTags(arn, [TAG.state]);
  done.effects.push({ kind: "stateTag", arn });
}

async function writeStateTag(plan: ReconcilePlan, ctx: ReconcileApplyContext, done: Progress) {
  const arn = done.createdLoadBalancer?.arn ?? plan.loadBalancer.bindings.loadBalancerArn;
  const value = plan.stateTag.write;
  if (!arn || !value) return;
  await ctx.ports.elbv2.addTags(arn, { [TAG.state]: value });
  done.effects.push({ kind: "stateTag", arn, value });
}

/**
 * Sends each zone's changes, the new ALB in place of its reference. A change Route53 refuses is reported
 * (and retried by the next reconcile); the rest of the zone goes through.
 */
async function applyRecords(plan: ReconcilePlan, ctx: ReconcileApplyContext, done: Progress) {
  const failed: string[] = [];
  const lb = done.createdLoadBalancer;
  for (const zone of plan.records) {
    const changes = lb ? zone.changes.map((c) => resolveLoadBalancerRef(c, lb)) : zone.changes;
    const result = await ctx.ports.route53.changeRecordSets(zone.zoneId, changes, "gannet: Ingress records");
    done.effects.push({ kind: "recordsChanged", zoneId: zone.zoneId });
    done.records.push(...changes.filter((c) => !result.failed.some((f) => f.change === c)));
    failed.push(
      ...result.failed.map(
        (f) => `${f.change.action} ${f.change.record.type} ${f.change.record.name}: ${f.error}`,
      ),
    );
  }
  return failed;
}

function refusal(ingress: string, what: string, err: unknown): Problem {
  return {
    ingress,
    field: "spec.tls",
    value: what,
    message: `ACM refused to ${what} (${errorText(err)}); the rest of the group converged, and Gannet tries again on the next reconcile`,
    scope: "rule",
  };
}

/**
 * The IdempotencyToken of one request: the model's token salted once per request. It keeps the call
 * layer's retries of that request to one certificate, while a later request for the same names (after
 * the certificate was deleted, by Gannet as unused or by anyone) gets a new one: ACM would answer a
 * reused token with the deleted certificate for an hour. A re-request after a crash needs no token: the
 * certificate carries its tags from the request on, so the next reconcile finds it, and a duplicate from
 * a listing that lags is retired as unused.
 */
function requestToken(base: string): string {
  return shortHash([base, randomUUID()], 32);
}

async function requestCertificate(c: CertificateChange, ctx: ReconcileApplyContext, done: Progress) {
  if (c.kind !== "requestCertificate") return;
  try {
    await ctx.ports.acm.requestCertificate({
      ...c.request,
      idempotencyToken: requestToken(c.request.idempotencyToken),
    });
    done.certificates.push(c);
  } catch (err) {
    const names = c.request.subjectAlternativeNames.join(", ");
    done.problems.push(refusal(c.request.ingress, `request a certificate for ${names}`, err));
  }
}

async function deleteCertificate(c: CertificateChange, ctx: ReconcileApplyContext, done: Progress) {
  if (c.kind !== "deleteCertificate") return;
  try {
    await ctx.ports.acm.deleteCertificate(c.arn);
    done.certificates.push(c);
  } catch (err) {
    done.problems.push(refusal(ctx.reportOn, `delete certificate ${c.arn}`, err));
  }
}
