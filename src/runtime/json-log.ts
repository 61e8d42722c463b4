// Runtime: structured logs, one JSON object per line (what CloudWatch Logs Insights queries), with
// fields carried by child loggers (the request id, the group key).

/** Fields of a log line. */
export type LogFields = Readonly<Record<string, unknown>>;

/** A logger writing JSON lines. */
export interface JsonLog {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger adding `fields` to every line. */
  child(fields: LogFields): JsonLog;
}

/** A logger that hands each line to `write` (default: stdout). */
export function createJsonLog(
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  base: LogFields = {},
  now: () => Date = () => new Date(),
): JsonLog {
  const line = (level: string, msg: string, fields: LogFields = {}) =>
    write(JSON.stringify({ time: now().toISOString(), level, msg, ...base, ...fields }));
  return {
    info: (msg, fields) => line("info", msg, fields),
    warn: (msg, fields) => line("warn", msg, fields),
    error: (msg, fields) => line("error", msg, fields),
    child: (fields) => createJsonLog(write, { ...base, ...fields }, now),
  };
}
