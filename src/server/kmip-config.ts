import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { clientCrlErrors, readClientCrls } from './client-crl.js';
import type { KmipListenerConfig } from './kmip-listener.js';
import { parseListen } from './listen.js';

/**
 * `kmip:` in the server configuration (docs/kmip.md): the KMIP server, off when absent. Its TLS files
 * default to the main listener's (`tls.cert`, `tls.key`, `tls.clientCa`, `tls.clientCrl`); a client CA
 * is required, because every KMIP client authenticates with its certificate (mutual TLS), mapped to a
 * principal by `identity.certificates`.
 */
export const kmipSchema = z
  .object({
    /** host:port (KMIP's registered port is 5696). */
    listen: z.string().default('0.0.0.0:5696'),
    cert: z.string().min(1).optional(),
    key: z.string().min(1).optional(),
    clientCa: z.string().min(1).optional(),
    clientCrl: z.string().min(1).optional(),
    /** Keys made by Create and Register without an Extractable attribute are exportable (KMIP Get); default false. */
    exportableByDefault: z.boolean().default(false),
    /** Destroy schedules deletion after this many days (7–30): the material is destroyed when the period ends. */
    destroyPendingDays: z.number().int().min(7).max(30).default(7),
    /** A connection idle this long is closed. */
    idleTimeoutSeconds: z.number().int().min(1).max(86_400).default(300),
    maxConnections: z.number().int().min(1).max(100_000).default(1000),
  })
  .strict();

export type KmipConfig = z.infer<typeof kmipSchema>;

interface TlsFiles {
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
  readonly clientCa?: string | undefined;
  readonly clientCrl?: string | undefined;
}

function files(kmip: Partial<TlsFiles>, tls: TlsFiles): TlsFiles {
  return { cert: kmip.cert ?? tls.cert, key: kmip.key ?? tls.key, clientCa: kmip.clientCa ?? tls.clientCa, clientCrl: kmip.clientCrl ?? tls.clientCrl };
}

/** The cross-field errors of `kmip:` (on the raw document, reported with the schema's); `readable` checks a file. */
export function kmipConfigErrors(kmip: unknown, tls: unknown, readable: (path: string) => boolean): string[] {
  if (typeof kmip !== 'object' || kmip === null) return [];
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const k = kmip as Record<string, unknown>;
  const t = (typeof tls === 'object' && tls !== null ? tls : {}) as Record<string, unknown>;
  const resolved = files({ cert: text(k['cert']), key: text(k['key']), clientCa: text(k['clientCa']), clientCrl: text(k['clientCrl']) }, { cert: text(t['cert']), key: text(t['key']), clientCa: text(t['clientCa']), clientCrl: text(t['clientCrl']) });
  const errors: string[] = [];
  for (const field of ['cert', 'key', 'clientCa'] as const) {
    const path = resolved[field];
    if (path === undefined) errors.push(`kmip.${field}: required (or tls.${field}): KMIP runs over mutual TLS only`);
    else if (!readable(path)) errors.push(`kmip.${field}: cannot read ${path}`);
  }
  if (resolved.clientCrl !== undefined) errors.push(...clientCrlErrors(resolved.clientCrl).map((e) => e.replace(/^tls\./, 'kmip.')));
  try {
    parseListen(text(k['listen']) ?? '0.0.0.0:5696');
  } catch (e) {
    errors.push(`kmip.listen: ${(e as Error).message.replace(/^--listen /, '')}`);
  }
  return errors;
}

/** The listener's settings, with its files read (the configuration was validated by `kmipConfigErrors`). */
export function kmipListenerConfig(kmip: KmipConfig | undefined, tls: TlsFiles): KmipListenerConfig | undefined {
  if (kmip === undefined) return undefined;
  const f = files(kmip, tls);
  const { host, port } = parseListen(kmip.listen);
  return {
    host,
    port,
    cert: readFileSync(f.cert ?? ''),
    key: readFileSync(f.key ?? ''),
    clientCa: readFileSync(f.clientCa ?? ''),
    crl: f.clientCrl === undefined ? undefined : readClientCrls(f.clientCrl),
    exportableByDefault: kmip.exportableByDefault,
    destroyPendingDays: kmip.destroyPendingDays,
    idleTimeoutMs: kmip.idleTimeoutSeconds * 1000,
    maxConnections: kmip.maxConnections,
  };
}
