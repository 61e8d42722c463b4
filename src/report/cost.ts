// Report stage: what the AWS resources Gannet holds cost a month, estimated from list prices. Pure.
//
// Only load balancers cost money by themselves: an ALB is billed per hour, per LCU-hour (traffic: an
// assumption, stated), and, when internet-facing, per public IPv4 address (one per Availability Zone).
// Target groups, security groups, listeners and rules are free; public ACM certificates are free; Route53
// records cost nothing by themselves (alias queries to an ALB are free too), but the hosted zones that hold
// them cost $0.50 a month each: shown apart, since Gannet never creates a zone and zones are shared.

/** The prices and assumptions an estimate uses; every figure is stated in the output. */
export interface CostAssumptions {
  readonly region: string;
  /** USD per ALB-hour. */
  readonly albHour: number;
  /** USD per LCU-hour. */
  readonly lcuHour: number;
  /** Average LCUs an ALB uses (traffic): 1 unless told otherwise. */
  readonly lcus: number;
  /** USD per public IPv4 address-hour (since February 2024). */
  readonly publicIpv4Hour: number;
  /** USD per hosted zone-month (the first 25 zones). */
  readonly hostedZoneMonth: number;
  readonly hoursPerMonth: number;
  /** Set when no list price is known for the region: the prices are us-east-1's. */
  readonly fallback?: string;
}

// ALB list prices (USD) per region: ALB-hour and LCU-hour. Regions not listed use us-east-1's, said so.
const ALB_PRICES: Readonly<Record<string, { readonly hour: number; readonly lcu: number }>> = {
  "us-east-1": { hour: 0.0225, lcu: 0.008 },
  "us-east-2": { hour: 0.0225, lcu: 0.008 },
  "us-west-2": { hour: 0.0225, lcu: 0.008 },
  "eu-west-1": { hour: 0.0252, lcu: 0.008 },
};

/** The assumptions for a region, with optional overrides (`--alb-hour-price`, `--lcu-hour-price`, `--lcus`). */
export function costAssumptions(
  region: string,
  overrides: { readonly albHour?: number; readonly lcuHour?: number; readonly lcus?: number } = {},
): CostAssumptions {
  const listed = ALB_PRICES[region];
  const base = listed ?? { hour: 0.0225, lcu: 0.008 };
  const fallback =
    listed || (overrides.albHour !== undefined && overrides.lcuHour !== undefined)
      ? undefined
      : `no list price is known here for ${region}: us-east-1's is used (pass --alb-hour-price and --lcu-hour-price)`;
  return {
    region,
    albHour: overrides.albHour ?? base.hour,
    lcuHour: overrides.lcuHour ?? base.lcu,
    lcus: overrides.lcus ?? 1,
    publicIpv4Hour: 0.005,
    hostedZoneMonth: 0.5,
    hoursPerMonth: 730,
    ...(fallback ? { fallback } : {}),
  };
}

/** What decides an ALB's price. */
export interface PricedLoadBalancer {
  readonly scheme: string;
  /** Availability Zones (subnets) it runs in: one public IPv4 address each when internet-facing. */
  readonly zones: number;
}

/** Monthly USD of one ALB: hours, the assumed LCUs, and its public IPv4 addresses. */
export function loadBalancerMonthlyCost(lb: PricedLoadBalancer, a: CostAssumptions): number {
  const ips = lb.scheme === "internet-facing" ? lb.zones : 0;
  return roundCents(a.hoursPerMonth * (a.albHour + a.lcuHour * a.lcus + a.publicIpv4Hour * ips));
}

/** The assumptions in one paragraph, as the CLI prints them under a table. */
export function describeAssumptions(a: CostAssumptions): string {
  const parts = [
    `region ${a.region}: ALB $${a.albHour}/hour + $${a.lcuHour}/LCU-hour × ${a.lcus} LCU (traffic-dependent, set --lcus)`,
    `+ $${a.publicIpv4Hour}/hour per public IPv4 address (one per AZ of an internet-facing ALB)`,
    `× ${a.hoursPerMonth} hours/month; target groups, security groups, listeners and rules free;`,
    `public ACM certificates free; Route53 records free and alias queries to an ALB free (other queries not`,
    `counted); hosted zones $${a.hostedZoneMonth.toFixed(2)}/month each, shown apart (shared, never created by Gannet)`,
  ];
  return `${parts.join(" ")}${a.fallback ? `; ${a.fallback}` : ""}`;
}

/** `$12.34`. */
export function formatUsd(value: number): string {
  return `$${value.toFixed(2)}`;
}

/** Rounds to cents, so sums of estimates print as their parts do. */
export function roundCents(value: number): number {
  // Through micro-dollars first: 730 × 0.0455 is 33.214999… in floating point, and should print 33.22.
  return Math.round(Math.round(value * 1e6) / 1e4) / 100;
}

/** A plain text table: columns padded to their widest cell, numbers right-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[$\d.,-]*$/.test(r[i] ?? "")));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}
