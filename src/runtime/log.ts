// Runtime: the one logger of every front door (controller, dev, Lambda): pino, one JSON object per
// line (what CloudWatch Logs Insights and cluster log pipelines query), with fields carried by child
// loggers (the group key, a Lambda request id). What the CLI prints for a person (plans, per-group
// lines) is output, not logging, and stays plain text on stdout.

import { type DestinationStream, type Logger, pino } from "pino";

export type { Logger } from "pino";

/** Where and how a logger writes. */
export interface LoggerOptions {
  /** Receives each line instead of stdout (tests). */
  readonly write?: (line: string) => void;
  /** Writes each line before returning (a Lambda sandbox may freeze as soon as the handler returns). */
  readonly sync?: boolean;
}

/** A logger writing JSON lines to stdout at `level` (`silent` for tests). */
export function createLogger(level: string, opts: LoggerOptions = {}): Logger {
  const write = opts.write;
  const destination: DestinationStream = write
    ? { write: (line: string) => write(line.trimEnd()) }
    : pino.destination({ dest: 1, sync: opts.sync ?? false });
  return pino(
    {
      level,
      base: { component: "gannet" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** The message and name of an error, for a log field. */
export function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
