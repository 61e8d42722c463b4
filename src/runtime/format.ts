// Runtime: one line per group outcome, as the CLI and `gannet dev` print it; the plan of each group,
// as `gannet plan` prints it.

import { isReadOperation } from "../aws/call-layer.ts";
import { describePlanChanges, planToJson } from "../plan/describe-plan.ts";
import type { ReconcileOutcome } from "../reconcile/outcome.ts";

/** `group shop: gannet-shop-… rules=5 targets=4 changes=12 aws-calls=30 (12 mutating)`, or the error. */
export function formatOutcome(o: ReconcileOutcome): string {
  const rules = o.desired.listeners.reduce((n, l) => n + l.rules.length, 0);
  const targets = o.desired.targetGroups.reduce((n, t) => n + t.targets.length, 0);
  const calls = Object.values(o.calls).reduce((a, b) => a + b, 0);
  const mutating = Object.entries(o.calls)
    .filter(([k]) => !isReadOperation(k.split(":")[1] ?? ""))
    .reduce((n, [, v]) => n + v, 0);
  const where = o.desired.loadBalancer ? (o.hostname ?? "(address pending)") : "(deleted)";
  const head = `group ${o.group}: ${where} rules=${rules} targets=${targets} changes=${o.applied.length + (o.other?.length ?? 0)} aws-calls=${calls} (${mutating} mutating)`;
  const waiting = o.disposition.action === "requeue" ? ` (${o.disposition.reason})` : "";
  const tls = `${o.certificates?.length ? ` certificates=${o.certificates.length}` : ""}${waiting}`;
  const dns = o.records?.length ? `\n  records: ${o.records.join(", ")}` : "";
  const problems = (o.problems ?? o.desired.problems)
    .map((p) => `\n  warning ${p.ingress} ${p.field}: ${p.message}`)
    .join("");
  return `${head}${tls}${dns}${o.error ? `\n  error: ${o.error}` : ""}${problems}`;
}

/** One group's plan as a diff: `group ns/web: 3 change(s)`, then a line per change, problem and error. */
export function formatPlan(o: ReconcileOutcome): string {
  const changes = o.plan ? describePlanChanges(o.plan) : [];
  const lines = [`group ${o.group}: ${changes.length === 0 ? "in sync" : `${changes.length} change(s)`}`];
  lines.push(...changes.map((c) => `  ${c}`));
  if (o.plan?.pending) lines.push(`  (${o.plan.pending})`);
  for (const p of o.problems ?? o.desired.problems) lines.push(`  ! ${p.ingress} ${p.field}: ${p.message}`);
  if (o.error) lines.push(`  error: ${o.error}`);
  return lines.join("\n");
}

/** Every group's plan as plain data (`gannet plan --output json`). */
export function planReport(outcomes: readonly ReconcileOutcome[]): Record<string, unknown> {
  return {
    groups: outcomes.map((o) => ({
      ...(o.plan ? planToJson(o.plan) : { group: o.group, inSync: false }),
      problems: o.problems ?? o.desired.problems,
      ...(o.error ? { error: o.error } : {}),
    })),
  };
}
