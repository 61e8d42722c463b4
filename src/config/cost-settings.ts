// Config: the flags of `gannet gc` and `gannet cost` (output format, price assumptions), validated.

import { z } from "zod";
import { type CostAssumptions, costAssumptions } from "../report/cost.ts";
import { SettingsError } from "./settings.ts";

/** The raw flags, as commander gives them. */
export interface RawCostFlags {
  readonly output?: string | undefined;
  readonly lcus?: string | undefined;
  readonly albHourPrice?: string | undefined;
  readonly lcuHourPrice?: string | undefined;
}

/** Validated output format and assumptions. */
export interface CostSettings {
  readonly json: boolean;
  readonly assumptions: CostAssumptions;
}

const price = z.coerce.number({ error: "must be a number" }).positive({ error: "must be above 0" }).max(100, {
  error: "must be at most 100 (USD per hour)",
});
const schema = z.object({
  output: z.enum(["text", "json"], { error: 'must be "text" or "json"' }),
  lcus: z.coerce
    .number({ error: "must be a number" })
    .min(0, { error: "must be 0 or more" })
    .max(100_000, { error: "must be at most 100000" })
    .optional(),
  albHourPrice: price.optional(),
  lcuHourPrice: price.optional(),
});

const FLAGS: Record<string, string> = {
  output: "--output",
  lcus: "--lcus",
  albHourPrice: "--alb-hour-price",
  lcuHourPrice: "--lcu-hour-price",
};

/** Validates the flags; a bad one throws a SettingsError naming the flag, the value and the fix. */
export function loadCostSettings(flags: RawCostFlags, region: string): CostSettings {
  const raw = { ...flags, output: flags.output ?? "text" };
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const field = String(i.path[0]);
      return `${FLAGS[field] ?? field}: ${i.message}; got ${JSON.stringify((raw as Record<string, unknown>)[field])}`;
    });
    throw new SettingsError(`invalid settings:\n  ${lines.join("\n  ")}`);
  }
  const d = parsed.data;
  return {
    json: d.output === "json",
    assumptions: costAssumptions(region, {
      ...(d.albHourPrice !== undefined ? { albHour: d.albHourPrice } : {}),
      ...(d.lcuHourPrice !== undefined ? { lcuHour: d.lcuHourPrice } : {}),
      ...(d.lcus !== undefined ? { lcus: d.lcus } : {}),
    }),
  };
}
