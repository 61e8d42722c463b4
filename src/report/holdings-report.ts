// Report stage: the resources a group holds, priced, as `gannet gc` lists them and `gannet cost` sums
// them (text and JSON). Pure.

import type { GroupHoldings, HeldRecord } from "../plan/orphans.ts";
import {
  type CostAssumptions,
  describeAssumptions,
  formatTable,
  formatUsd,
  loadBalancerMonthlyCost,
  roundCents,
} from "./cost.ts";

/** One AWS resource and its monthly cost. */
export interface PricedResource {
  readonly kind: "load-balancer" | "target-group" | "security-group" | "certificate" | "record";
  /** ARN, security group id, or `<type> <name>` for a record. */
  readonly id: string;
  readonly name: string;
  readonly detail: string;
  readonly monthlyUsd: number;
}

/** One group's resources, priced. */
export interface PricedGroup {
  readonly group: string;
  readonly status: "live" | "orphan";
  readonly resources: readonly PricedResource[];
  readonly monthlyUsd: number;
}

/** Listeners of an ALB as `gc` shows them (`80/HTTP (2 rules)`), when read. */
export type ListenerNotes = ReadonlyMap<string, string>;

/** Prices a group's resources. */
export function priceGroup(
  g: GroupHoldings,
  a: CostAssumptions,
  listeners: ListenerNotes = new Map(),
): PricedGroup {
  const resources: PricedResource[] = [
    ...g.loadBalancers.map((lb) => {
      const zones = lb.subnetIds.length;
      const notes = listeners.get(lb.arn);
      return {
        kind: "load-balancer" as const,
        id: lb.arn,
        name: lb.name,
        detail: `${lb.scheme}, ${zones} AZ${zones === 1 ? "" : "s"}, ${lb.dnsName}${notes ? `; listeners ${notes}` : ""}`,
        monthlyUsd: loadBalancerMonthlyCost({ scheme: lb.scheme, zones }, a),
      };
    }),
    ...g.targetGroups.map((tg) => ({
      kind: "target-group" as const,
      id: tg.arn,
      name: tg.name,
      detail: `${tg.protocol}:${tg.port} ${tg.targetType}`,
      monthlyUsd: 0,
    })),
    ...g.securityGroups.map((sg) => ({
      kind: "security-group" as const,
      id: sg.id,
      name: sg.name,
      detail: "",
      monthlyUsd: 0,
    })),
    ...g.certificates.map((c) => ({
      kind: "certificate" as const,
      id: c.arn,
      name: c.domainName,
      detail: `${c.status}, ${c.type === "AMAZON_ISSUED" ? "public ACM, free" : c.type}${c.names.length > 1 ? `, ${c.names.length} names` : ""}`,
      monthlyUsd: 0,
    })),
    ...g.records.map(pricedRecord),
  ];
  return {
    group: g.group,
    status: g.referenced ? "live" : "orphan",
    resources,
    monthlyUsd: roundCents(resources.reduce((n, r) => n + r.monthlyUsd, 0)),
  };
}

/** A record, free (alias queries to an ALB are free; its zone is priced apart). */
export function pricedRecord(r: HeldRecord): PricedResource {
  return {
    kind: "record",
    id: `${r.type} ${r.name}`,
    name: r.name,
    detail: `alias to ${r.target} in zone ${r.zoneName} (${r.zoneId})`,
    monthlyUsd: 0,
  };
}

/** A resource on one line, indented, as `gc` prints it. */
export function formatResource(r: PricedResource): string {
  const id = r.kind === "record" ? r.id : `${r.name}${r.id !== r.name ? ` (${r.id})` : ""}`;
  return `  ${r.kind} ${id}${r.detail ? `: ${r.detail}` : ""}  ${formatUsd(r.monthlyUsd)}/month`;
}

/** A hosted zone holding Gannet's records, priced apart. */
export interface PricedZone {
  readonly id: string;
  readonly name: string;
  readonly records: number;
  readonly monthlyUsd: number;
}

/** What `gannet cost` prints as JSON, and formats as a table. */
export interface CostReport {
  readonly cluster: string;
  readonly groups: readonly PricedGroup[];
  readonly monthlyUsd: number;
  readonly hostedZones: readonly PricedZone[];
  readonly hostedZonesMonthlyUsd: number;
  readonly assumptions: CostAssumptions;
}

/** Builds the cost report: every group priced, and the zones holding their records. */
export function buildCostReport(
  cluster: string,
  groups: readonly GroupHoldings[],
  a: CostAssumptions,
): CostReport {
  const priced = groups.map((g) => priceGroup(g, a));
  const zones = new Map<string, PricedZone>();
  for (const r of groups.flatMap((g) => g.records)) {
    const z = zones.get(r.zoneId) ?? {
      id: r.zoneId,
      name: r.zoneName,
      records: 0,
      monthlyUsd: a.hostedZoneMonth,
    };
    zones.set(r.zoneId, { ...z, records: z.records + 1 });
  }
  const hostedZones = [...zones.values()].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return {
    cluster,
    groups: priced,
    monthlyUsd: roundCents(priced.reduce((n, g) => n + g.monthlyUsd, 0)),
    hostedZones,
    hostedZonesMonthlyUsd: roundCents(hostedZones.reduce((n, z) => n + z.monthlyUsd, 0)),
    assumptions: a,
  };
}

/** The cost report as a table, the zones, and the assumptions. */
export function formatCostReport(r: CostReport): string {
  const count = (g: PricedGroup, kind: PricedResource["kind"]) =>
    String(g.resources.filter((x) => x.kind === kind).length);
  const rows = r.groups.map((g) => [
    g.group,
    g.status,
    count(g, "load-balancer"),
    count(g, "target-group"),
    count(g, "security-group"),
    count(g, "certificate"),
    count(g, "record"),
    g.monthlyUsd.toFixed(2),
  ]);
  rows.push(["TOTAL", "", "", "", "", "", "", r.monthlyUsd.toFixed(2)]);
  const table = formatTable(
    ["GROUP", "STATUS", "ALBS", "TARGET GROUPS", "SECURITY GROUPS", "CERTIFICATES", "RECORDS", "USD/MONTH"],
    rows,
  );
  const zones = r.hostedZones.length
    ? `hosted zones holding these records (shared, not created by Gannet, billed apart): ${r.hostedZones
        .map(
          (z) =>
            `${z.name} (${z.id}, ${z.records} record${z.records === 1 ? "" : "s"}) ${formatUsd(z.monthlyUsd)}/month`,
        )
        .join(", ")}; ${formatUsd(r.hostedZonesMonthlyUsd)}/month in all`
    : "hosted zones: none holds a record of these groups";
  const orphans = r.groups.filter((g) => g.status === "orphan").length;
  const gc = orphans
    ? `\n${orphans} orphan group(s): no Ingress names them; \`gannet gc\` lists and deletes them`
    : "";
  return `cluster ${r.cluster}: ${r.groups.length} group(s) hold AWS resources\n${table}\n${zones}\nassumptions: ${describeAssumptions(r.assumptions)}${gc}`;
}
