export const LOG_LEVELS = ["silent", "error", "warn", "info", "debug"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

type Fields = Record<string, unknown>;
export interface Logger {
  error(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  debug(msg: string, fields?: Fields): void;
}

export interface LogEntry {
  level: Exclude<LogLevel, "silent">;
  msg: string;
  fields?: Fields;
}

/** The most one field may take in a log line: room for a stack, none for a client's megabyte. */
export const LOG_FIELD_MAX = 1_000;

/**
 * One line per entry: `time level msg {fields}`. Fields go out as JSON so that a payload a
 * client sent can never forge a log line, each cut to LOG_FIELD_MAX characters so that it can
 * never fill a disk either.
 */
export function createLogger(level: LogLevel, write: (entry: LogEntry) => void = printEntry): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const at = (l: LogEntry["level"]) => (msg: string, fields?: Fields) => {
    if (LOG_LEVELS.indexOf(l) <= threshold) write({ level: l, msg, fields: fields && truncated(fields) });
  };
  return { error: at("error"), warn: at("warn"), info: at("info"), debug: at("debug") };
}

function truncated(fields: Fields): Fields {
  const out: Fields = {};
  for (const [key, value] of Object.entries(fields)) {
    const text = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
    out[key] = text.length <= LOG_FIELD_MAX ? value : `${text.slice(0, LOG_FIELD_MAX)}… (${text.length} characters)`;
  }
  return out;
}

function printEntry({ level, msg, fields }: LogEntry): void {
  const line = `${new Date().toISOString()} ${level.padEnd(5)} ${msg}${fields ? ` ${JSON.stringify(fields)}` : ""}`;
  (level === "error" || level === "warn" ? process.stderr : process.stdout).write(`${line}\n`);
}
