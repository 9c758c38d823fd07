import type { Logger } from '../core/ports.js';

/** JSON-lines logger on stderr. Fields pass through JSON.stringify, so SecretBytes print `[redacted]`. */
export function createLogger(opts: { quiet?: boolean } = {}): Logger {
  const write = (level: string, message: string, fields?: Record<string, unknown>) => {
    if (opts.quiet && level === 'info') return;
    process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level, message, ...fields }) + '\n');
  };
  return {
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}
