import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { SealRecord, WrappedSecret } from '../../core/ports.js';
import { MIGRATIONS } from '../sqlite/database.js';
import type { PostgresDatabase } from '../postgres/database.js';
import { BackupRefused } from '../../core/backup-file.js';
import { SQLITE_FILE } from '../migrate/sqlite-source.js';
import type { TableSpec } from '../migrate/tables.js';
import { toNeutral, type Engine, type NeutralValue } from './neutral.js';

/** An audit chain: its id and the node name it continues under (SQLite: the chain id). */
export interface ChainInfo {
  readonly chainId: string;
  readonly node: string;
}

/** A stored trail signing key (the audit tree-head key, which also signs backups; ADR 0016). */
export interface StoredSigningKey {
  readonly publicKey: Buffer;
  readonly wrapped: WrappedSecret;
}

/**
 * One consistent view of a whole store, read-only, while the server keeps serving: every read sees the
 * same snapshot (SQLite: one read transaction in WAL mode; PostgreSQL: REPEATABLE READ READ ONLY).
 */
export interface StoreSnapshot {
  readonly engine: Engine;
  readonly chains: readonly ChainInfo[];
  count(spec: TableSpec): Promise<number>;
  /** A table's rows in the spec's order, values neutral, in the spec's column order (audit tables: chain id first). */
  rows(spec: TableSpec): AsyncIterable<readonly NeutralValue[]>;
  domainKeys(): Promise<readonly { version: number; wrapped: Buffer }[]>;
  signingKey(chainId: string): Promise<StoredSigningKey | undefined>;
  sealRecord(): Promise<SealRecord | undefined>;
}

type SealRow = { kind: 'shamir' | 'pkcs11'; shares: number; threshold: number; share_set_id: Buffer; wrapped_root: Buffer | null; initialized_at: number | Date };

function sealOf(r: SealRow | undefined): SealRecord | undefined {
  return r && { kind: r.kind, shares: r.shares, threshold: r.threshold, shareSetId: r.share_set_id, wrappedRoot: r.wrapped_root ?? Buffer.alloc(0), initializedAt: new Date(r.initialized_at) };
}

function neutralRow(spec: TableSpec, row: Record<string, unknown>, chainId: string | undefined): NeutralValue[] {
  const values: NeutralValue[] = spec.chained ? [chainId ?? null] : [];
  for (const [column, kind] of Object.entries(spec.columns)) values.push(toNeutral(kind, row[column], `${spec.table}.${column}`));
  return values;
}

/**
 * Runs `work` on a snapshot of the SQLite store of `dataDir`, in one read transaction (a running server
 * goes on writing; WAL keeps this reader's view). Refuses a directory without a current Arca database.
 */
export async function withSqliteSnapshot<T>(dataDir: string, work: (s: StoreSnapshot) => Promise<T>): Promise<T> {
  const path = join(dataDir, SQLITE_FILE);
  if (!existsSync(path)) throw new BackupRefused(`${path} does not exist: --from must be an Arca data directory`);
  const db = new Database(path, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    db.exec('BEGIN');
    const applied = new Set(db.prepare<[], { id: string }>('SELECT id FROM schema_migrations').all().map((r) => r.id));
    const missing = MIGRATIONS.filter((m) => !applied.has(m.id)).map((m) => m.id);
    if (missing.length > 0) throw new BackupRefused(`${path} lacks schema migrations ${missing.join(', ')}: open it once with this Arca version first`);
    const chainId = db.prepare<[], { value: string }>("SELECT value FROM audit_meta WHERE name = 'chain_id'").get()?.value;
    const snapshot: StoreSnapshot = {
      engine: 'sqlite',
      chains: chainId === undefined ? [] : [{ chainId, node: chainId }],
      count: async (spec) => db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM ${spec.table}`).get()?.n ?? 0,
      async *rows(spec) {
        // Table and column names come from the constant specs only.
        const statement = db.prepare<[], Record<string, unknown>>(`SELECT ${Object.keys(spec.columns).join(', ')} FROM ${spec.table} ORDER BY ${spec.orderBy}`);
        for (const row of statement.iterate()) yield neutralRow(spec, row, chainId);
      },
      domainKeys: async () => db.prepare<[], { version: number; wrapped: Buffer }>('SELECT version, wrapped FROM domain_keys ORDER BY version').all(),
      async signingKey() {
        const r = db.prepare<[], { public_key: Buffer; domain_key_version: number; wrapped_private: Buffer }>('SELECT public_key, domain_key_version, wrapped_private FROM audit_signing_keys WHERE id = 1').get();
        return r && { publicKey: r.public_key, wrapped: { domainKeyVersion: r.domain_key_version, wrapped: r.wrapped_private } };
      },
      sealRecord: async () => sealOf(db.prepare<[], SealRow>('SELECT kind, shares, threshold, share_set_id, wrapped_root, initialized_at FROM seal_config WHERE id = 1').get()),
    };
    return await work(snapshot);
  } finally {
    if (db.inTransaction) db.exec('ROLLBACK');
    db.close();
  }
}

const PG_PAGE = 5000;

/** Runs `work` on a REPEATABLE READ READ ONLY snapshot of a PostgreSQL store (one pooled connection, released after). */
export async function withPostgresSnapshot<T>(pg: PostgresDatabase, work: (s: StoreSnapshot) => Promise<T>): Promise<T> {
  const client = await pg.pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const chains = (await client.query<{ chain_id: string; node: string }>('SELECT chain_id, node FROM audit_chains ORDER BY node')).rows.map((r) => ({ chainId: r.chain_id, node: r.node }));
    const snapshot: StoreSnapshot = {
      engine: 'postgres',
      chains,
      count: async (spec) => (await client.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM ${spec.table}`)).rows[0]?.n ?? 0,
      async *rows(spec) {
        const columns = Object.keys(spec.columns);
        // audit_signing_keys has no `id` on PostgreSQL: one row per chain.
        const order = spec.chained ? (spec.table === 'audit_signing_keys' ? 'chain_id' : `chain_id, ${spec.orderBy}`) : spec.orderBy;
        const select = `SELECT ${spec.chained ? 'chain_id, ' : ''}${columns.join(', ')} FROM ${spec.table} ORDER BY ${order}`;
        // A cursor in the snapshot's transaction: each page continues where the last stopped (OFFSET
        // paging would rescan every earlier row, quadratic over a million audit events).
        await client.query(`DECLARE backup_rows NO SCROLL CURSOR FOR ${select}`);
        try {
          for (;;) {
            const page = await client.query<Record<string, unknown>>(`FETCH FORWARD ${PG_PAGE} FROM backup_rows`);
            for (const row of page.rows) yield neutralRow(spec, row, typeof row['chain_id'] === 'string' ? row['chain_id'] : undefined);
            if (page.rows.length < PG_PAGE) return;
          }
        } finally {
          await client.query('CLOSE backup_rows').catch(() => undefined); // an aborted transaction closed it
        }
      },
      domainKeys: async () => (await client.query<{ version: number; wrapped: Buffer }>('SELECT version, wrapped FROM domain_keys ORDER BY version')).rows,
      async signingKey(chainId) {
        const r = (await client.query<{ public_key: Buffer; domain_key_version: number; wrapped_private: Buffer }>('SELECT public_key, domain_key_version, wrapped_private FROM audit_signing_keys WHERE chain_id = $1', [chainId])).rows[0];
        return r && { publicKey: r.public_key, wrapped: { domainKeyVersion: r.domain_key_version, wrapped: r.wrapped_private } };
      },
      sealRecord: async () => sealOf((await client.query<SealRow>('SELECT kind, shares, threshold, share_set_id, wrapped_root, initialized_at FROM seal_config WHERE id = 1')).rows[0]),
    };
    return await work(snapshot);
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}
