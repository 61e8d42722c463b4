// Runtime: structured JSON logs (pino), one object per line with the group key where there is one.

import { type Logger, pino } from "pino";

export type { Logger } from "pino";

/** A logger writing JSON lines to stdout at `level` (`silent` for tests). */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { component: "gannet" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}

/** The message and name of an error, for a log field. */
export function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
