import type { LogLevel } from "./config.ts";

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogFields = Record<string, unknown>;

/** A JSON-lines logger; child loggers carry bound fields such as a request or job id. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

type Sink = (line: string) => void;

const stdoutSink: Sink = (line) => {
  process.stdout.write(line);
};

/** Creates a logger that writes one JSON object per line to `sink` (stdout by default). */
export function createLogger(level: LogLevel, bound: LogFields = {}, sink: Sink = stdoutSink): Logger {
  const min = RANK[level];
  const write = (lvl: Exclude<LogLevel, "silent">, msg: string, fields?: LogFields) => {
    if (RANK[lvl] < min) return;
    const record = { time: new Date().toISOString(), level: lvl, msg, ...bound, ...fields };
    sink(`${JSON.stringify(record, errorReplacer)}\n`);
  };
  return {
    debug: (msg, fields) => write("debug", msg, fields),
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
    child: (fields) => createLogger(level, { ...bound, ...fields }, sink),
  };
}

// Errors have no enumerable fields; log their name, message and stack instead of "{}".
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (typeof value === "bigint") return value.toString();
  return value;
}
