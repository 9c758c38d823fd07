import { hostname } from 'node:os';
import { z } from 'zod';

/**
 * `storage:` of arca.yaml (docs/cluster.md): SQLite in the data dir (the default) or a PostgreSQL
 * database shared by every node of a cluster. The URL may hold a password: it is validated without
 * being echoed, and shown only through {@link redactUrl}.
 */
const poolSchema = z
  .object({
    /** Connections at most per node (node-postgres `max`). */
    max: z.number().int().min(1).max(1000).optional(),
    idleTimeoutMillis: z.number().int().min(0).optional(),
    /** How long a request waits for a connection before failing closed. */
    connectionTimeoutMillis: z.number().int().min(1).optional(),
    /** How long a statement waits for the server's answer before failing closed (default: connectionTimeoutMillis). */
    queryTimeoutMillis: z.number().int().min(1).optional(),
  })
  .strict();

const postgresTlsSchema = z
  .object({
    /** CA bundle that signed the server's certificate (default: the system's CAs). */
    ca: z.string().min(1).optional(),
    /** Client certificate and key, for servers that authenticate clients by certificate. */
    cert: z.string().min(1).optional(),
    key: z.string().min(1).optional(),
    /** Check the server's certificate and host name (default true). */
    verify: z.boolean().default(true),
  })
  .strict();

const POSTGRES_URL = /^postgres(ql)?:\/\/[^\s]+$/;

export const storageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('sqlite') }).strict(),
  z
    .object({
      type: z.literal('postgres'),
      url: z.string().refine((u) => POSTGRES_URL.test(u), 'must be a postgres:// or postgresql:// URL'),
      pool: poolSchema.optional(),
      tls: postgresTlsSchema.optional(),
    })
    .strict(),
]);

export type StorageConfig = z.infer<typeof storageSchema>;
export type PostgresStorageConfig = Extract<StorageConfig, { type: 'postgres' }>;

/** The URL with its password (if any) replaced by `****`, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '****';
    // A password may also come as a query parameter.
    if (u.searchParams.has('password')) u.searchParams.set('password', '****');
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//****@');
  }
}

/** The storage from `arca dev --storage URL` (a postgres URL; `sqlite` for the default). */
export function storageFromFlag(value: string): StorageConfig {
  if (value === 'sqlite') return { type: 'sqlite' };
  if (!POSTGRES_URL.test(value)) throw new Error(`--storage must be sqlite or a postgres:// URL, not ${redactUrl(value)}`);
  return { type: 'postgres', url: value };
}

/** This node's name in a cluster: the configured one, else the host name. */
export function nodeNameOf(configured: string | undefined): string {
  return configured ?? hostname();
}
