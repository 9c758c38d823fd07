/**
 * Structured log lines: the server writes them as JSON through pino (src/server/logger.ts), `debug` only
 * when the log level is `debug`. `fields` are data and never secrets; the server's logger redacts
 * secret-named fields and URL passwords as a second line of defence.
 */
export interface Logger {
  /** Per-request detail (the request log's success lines). */
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}
