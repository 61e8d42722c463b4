// Runtime: `gannet gc` (orphans: list with their cost; with --yes, delete in dependency order) and
// `gannet cost` (what each group holds and costs a month).
//
// gc deletes an orphaned group by reconciling it with no member: the same pipeline, so the same order as
// a deletion (rules, listeners, the ALB, target groups, security groups, then the group's certificates and
// their validation records). Orphan records go first, so no name points at a deleted ALB in between.

import { hostname } from "node:os";
import {
  type Collection,
  type GroupHoldings,
  planCollection,
  planOrphanRecordDeletions,
  referencedGroups,
} from "../plan/orphans.ts";
import { reconcileGroup } from "../reconcile/reconcile-group.ts";
import type { CostAssumptions } from "../report/cost.ts";
import { describeAssumptions, formatUsd, roundCents } from "../report/cost.ts";
import {
  buildCostReport,
  type CostReport,
  formatCostReport,
  formatResource,
  type PricedGroup,
  type PricedResource,
  pricedRecord,
  priceGroup,
} from "../report/holdings-report.ts";
import type { GroupMembers } from "../sources/ingress/groups/collect-groups.ts";
import { readHoldings } from "./holdings.ts";
import { clusterSettings, type Runtime } from "./pass.ts";

/** How `gc` runs. */
export interface GcOptions {
  /** Delete what is found; without it, a dry run. */
  readonly yes: boolean;
  readonly json: boolean;
  readonly assumptions: CostAssumptions;
  readonly print: (line: string) => void;
}

/** What `gc` found and did, as `--output json` prints it. */
export interface GcReport {
  readonly cluster: string;
  readonly dryRun: boolean;
  readonly groups: readonly PricedGroup[];
  readonly records: readonly PricedResource[];
  readonly monthlyUsd: number;
  readonly assumptions: CostAssumptions;
  /** With --yes: what was deleted, skipped (named by an Ingress meanwhile) and failed. */
  readonly deleted?: { readonly groups: string[]; readonly records: string[] };
  readonly skipped?: readonly string[];
  readonly failed?: readonly string[];
}

/**
 * Runs `gc`. Exit code: 0 nothing orphaned (or everything found deleted with --yes), 2 orphans found in a
 * dry run, 1 a deletion failed.
 */
export async function runGc(rt: Runtime, vpcId: string, opts: GcOptions): Promise<number> {
  const h = await readHoldings(rt, vpcId);
  const collection = planCollection({
    holdings: h.groups,
    records: h.records,
    existingTargets: h.existingTargets,
    ingresses: h.snapshot.ingresses,
  });
  const listeners = await listenerNotes(rt, collection.groups);
  // A group's records are listed once, with the other orphan records (they go first).
  const groups = collection.groups.map((g) => priceGroup({ ...g, records: [] }, opts.assumptions, listeners));
  const records = collection.records.map(pricedRecord);
  const found: GcReport = {
    cluster: rt.settings.cluster,
    dryRun: !opts.yes,
    groups,
    records,
    monthlyUsd: roundCents(groups.reduce((n, g) => n + g.monthlyUsd, 0)),
    assumptions: opts.assumptions,
  };
  if (!opts.json) printFound(found, opts.print);
  if (!opts.yes) {
    if (opts.json) opts.print(JSON.stringify(found, null, 2));
    else if (groups.length + records.length > 0)
      opts.print("dry run: nothing deleted; `gannet gc --yes` deletes the resources above");
    return groups.length + records.length > 0 ? 2 : 0;
  }
  const result = await collect(rt, vpcId, h, collection, opts.print);
  const report = { ...found, ...result };
  if (opts.json) opts.print(JSON.stringify(report, null, 2));
  else {
    opts.print(
      `deleted ${result.deleted.groups.length} group(s) and ${result.deleted.records.length} record(s)` +
        `${result.skipped.length ? `; skipped ${result.skipped.join(", ")} (an Ingress names it now)` : ""}`,
    );
    for (const f of result.failed) opts.print(`  failed: ${f}`);
  }
  return result.failed.length > 0 ? 1 : 0;
}

function printFound(r: GcReport, print: (line: string) => void): void {
  const n = r.groups.length + r.records.length;
  if (n === 0) {
    print(`cluster ${r.cluster}: nothing orphaned`);
    return;
  }
  print(
    `cluster ${r.cluster}: ${r.groups.length} orphan group(s) and ${r.records.length} orphan record(s), about ${formatUsd(r.monthlyUsd)}/month`,
  );
  for (const g of r.groups) {
    print(`group ${g.group} (no Ingress names it): ${formatUsd(g.monthlyUsd)}/month`);
    for (const res of g.resources) print(formatResource(res));
  }
  if (r.records.length) print("records whose ALB is gone (their TXT names this owner id):");
  for (const res of r.records) print(formatResource(res));
  print(`assumptions: ${describeAssumptions(r.assumptions)}`);
}

// Listeners and rule counts of the ALBs to delete, so the list says what goes with them.
async function listenerNotes(rt: Runtime, groups: readonly GroupHoldings[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const lb of groups.flatMap((g) => g.loadBalancers)) {
    const listeners = await rt.aws.elbv2.listListeners(lb.arn, () => true);
    out.set(
      lb.arn,
      listeners.length
        ? listeners.map((l) => `${l.port}/${l.protocol} (${l.rules.length} rules)`).join(", ")
        : "none",
    );
  }
  return out;
}

async function collect(
  rt: Runtime,
  vpcId: string,
  h: Awaited<ReturnType<typeof readHoldings>>,
  collection: Collection,
  print: (line: string) => void,
) {
  // Kubernetes again, right before deleting: an Ingress created since the list keeps its group.
  const snapshot = await rt.kube.readSnapshot();
  const referenced = referencedGroups(snapshot.ingresses);
  const live = new Set(snapshot.ingresses.map((i) => `ingress/${i.metadata.namespace}/${i.metadata.name}`));
  const skipped = collection.groups.filter((g) => referenced.has(g.group)).map((g) => g.group);
  const records = collection.records.filter((r) => r.resource === undefined || !live.has(r.resource));
  const deleted = { groups: [] as string[], records: [] as string[] };
  const failed: string[] = [];
  const settings = clusterSettings(rt.settings, vpcId);
  for (const zone of h.zones) {
    const changes = planOrphanRecordDeletions({
      zoneId: zone.id,
      observed: h.recordSets.get(zone.id) ?? [],
      orphans: records,
      settings: settings.registry,
    });
    if (changes.length === 0) continue;
    const result = await rt.aws.route53.changeRecordSets(zone.id, changes, "gannet gc: orphan records");
    for (const c of changes) {
      const failure = result.failed.find((f) => f.change === c);
      const line = `${c.action} ${c.record.type} ${c.record.name}`;
      if (failure) failed.push(`${line}: ${failure.error}`);
      else if (c.record.type !== "TXT") deleted.records.push(`${c.record.type} ${c.record.name}`);
    }
  }
  const deps = { aws: rt.aws, kube: rt.kube, settings, dedupe: rt.dedupe, instance: hostname() };
  for (const g of collection.groups) {
    if (referenced.has(g.group)) continue;
    const members: GroupMembers = { group: g.group, members: [], leaving: [], problems: [], refused: [] };
    const outcome = await reconcileGroup({ members, snapshot, inventory: h.inventory }, deps, {
      verify: true,
    });
    if (outcome.error) failed.push(`group ${g.group}: ${outcome.error}`);
    else {
      deleted.groups.push(g.group);
      print(
        `deleted group ${g.group}: ${outcome.applied.length + (outcome.other?.length ?? 0)} change(s)${
          outcome.other?.length ? ` (${outcome.other.join(", ")})` : ""
        }`,
      );
    }
  }
  return { deleted, skipped, failed };
}

/** Runs `cost`: always exit 0 once read (1 on an error, thrown). */
export async function runCost(
  rt: Runtime,
  vpcId: string,
  opts: {
    readonly json: boolean;
    readonly assumptions: CostAssumptions;
    readonly print: (line: string) => void;
  },
): Promise<CostReport> {
  const h = await readHoldings(rt, vpcId);
  const report = buildCostReport(rt.settings.cluster, h.groups, opts.assumptions);
  opts.print(opts.json ? JSON.stringify(report, null, 2) : formatCostReport(report));
  return report;
}
