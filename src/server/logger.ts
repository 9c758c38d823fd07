import { pino, type DestinationStream, type Level } from 'pino';
import type { Logger } from '../core/ports.js';

/** The levels `--log-level`, `logLevel` and ARCA_LOG_LEVEL accept, most verbose first. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Field paths whose values are never written, whatever logs them (pino `redact`): secrets by the names
 * Arca and its clients give them. A path names a field at the top of a line or one level down.
 */
export const REDACTED_FIELDS: readonly string[] = [
  'plaintext', 'Plaintext', 'secretAccessKey', 'SecretAccessKey', 'sessionToken', 'SessionToken', 'password', 'share', 'shares', 'Share',
  'authorization', 'Authorization', 'bearerToken', 'pin', 'token', 'unsealKey', 'rootKey', 'material', 'privateKey',
].flatMap((f) => [f, `*.${f}`]);

/** `scheme://user:password@host` in any text: the password is replaced (a URL in an error message, say). */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s/]*@/gi;
/** `password=…` in a connection string or URL query. */
const PASSWORD_PARAM = /(password=)[^&\s]*/gi;

/** The text with any URL password or `password=` parameter replaced by `****`. */
export function scrubSecrets(text: string): string {
  return text.replace(URL_PASSWORD, '$1****@').replace(PASSWORD_PARAM, '$1****');
}

function scrubFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = typeof v === 'string' ? scrubSecrets(v) : v;
  return out;
}

export interface LoggerOptions {
  /** Lines below this level are not written (default `info`). */
  readonly level?: LogLevel | undefined;
  /** Where lines go (default stdout). */
  readonly destination?: DestinationStream | undefined;
}

/**
 * The server's logger: JSON lines through pino (`{"level":"info","time":"…","message":"…",…fields}`),
 * on stdout by default. Never a secret: known secret fields are redacted (REDACTED_FIELDS), passwords in
 * URLs are replaced in every string field and message, and SecretBytes serialize as `[redacted]`.
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const log = pino(
    {
      level: opts.level ?? 'info',
      base: undefined,
      messageKey: 'message',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }), log: scrubFields },
      redact: { paths: [...REDACTED_FIELDS], censor: '[redacted]' },
    },
    opts.destination ?? pino.destination({ dest: 1, sync: true }),
  );
  const at = (level: Level) => (message: string, fields?: Record<string, unknown>) => {
    if (log.isLevelEnabled(level)) log[level](fields ?? {}, scrubSecrets(message));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
