/** Structured logs: one JSON object a line, `{"t", "level", "msg", ...fields}`, on stderr. */

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export type Logger = Record<LogLevel, (msg: string, fields?: LogFields) => void>;

export function isLogLevel(text: string): text is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(text);
}

export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const at =
    (lineLevel: LogLevel) =>
    (msg: string, fields: LogFields = {}) => {
      if (LOG_LEVELS.indexOf(lineLevel) > threshold) return;
      const { t: _t, level: _l, msg: _m, ...rest } = fields;
      write(`${JSON.stringify({ t: new Date().toISOString(), level: lineLevel, msg, ...rest })}\n`);
    };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

/** For tests and embedders that want no output. */
export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };
