import type { TreeHead } from '../../core/audit.js';
import type { PostgresDatabase } from '../postgres/database.js';
import { targetCount } from './copy-to-postgres.js';
import type { SqliteSource } from './sqlite-source.js';
import { AUDIT_TABLES, DOMAIN_TABLES } from './tables.js';

/** One table's rows on both sides after a copy. */
export interface TableCount {
  readonly table: string;
  readonly source: number;
  readonly target: number;
}

/** Every copied table's row count in the source and in the target (the audit tables: the copied chain's). */
export async function compareCounts(source: SqliteSource, pg: PostgresDatabase, chainId: string | undefined): Promise<TableCount[]> {
  const out: TableCount[] = [];
  for (const spec of DOMAIN_TABLES) out.push({ table: spec.table, source: source.count(spec), target: await targetCount(pg, spec, undefined) });
  for (const spec of AUDIT_TABLES) out.push({ table: spec.table, source: source.count(spec), target: chainId === undefined ? 0 : await targetCount(pg, spec, chainId) });
  return out;
}

/** An audit event of a chain as stored: its recorded text, or only its leaf hash once retention pruned it. */
export interface StoredAuditEntry {
  readonly sequence: number;
  /** Hex. */
  readonly leafHash: string;
  /** The recorded event text; undefined when pruned. */
  readonly body: string | undefined;
}

/** A chain's signing public key and signed tree heads (the heads in the export's form), read from PostgreSQL. */
export async function chainHeads(pg: PostgresDatabase, chainId: string): Promise<{ publicKey: Buffer | undefined; heads: TreeHead[] }> {
  const key = await pg.db.query<{ public_key: Buffer }>('SELECT public_key FROM audit_signing_keys WHERE chain_id = $1', [chainId]);
  const heads = await pg.db.query<{ tree_size: string; root_hash: Buffer; timestamp: string; signature: Buffer }>(
    'SELECT tree_size, root_hash, timestamp, signature FROM audit_tree_heads WHERE chain_id = $1 ORDER BY tree_size',
    [chainId],
  );
  return {
    publicKey: key.rows[0]?.public_key,
    heads: heads.rows.map((r) => ({ chainId, treeSize: Number(r.tree_size), rootHash: r.root_hash.toString('hex'), timestamp: r.timestamp, signature: r.signature.toString('base64') })),
  };
}

/** A chain's events in sequence order, `page` at a time (memory: one page). */
export async function* chainEntries(pg: PostgresDatabase, chainId: string, page = 1000): AsyncGenerator<StoredAuditEntry[]> {
  for (let after = 0; ; ) {
    const r = await pg.db.query<{ seq: string; leaf_hash: Buffer; body: string; pruned: boolean }>(
      'SELECT seq, leaf_hash, body, pruned FROM audit_events WHERE chain_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      [chainId, after, page],
    );
    if (r.rows.length === 0) return;
    yield r.rows.map((row) => ({ sequence: Number(row.seq), leafHash: row.leaf_hash.toString('hex'), body: row.pruned ? undefined : row.body }));
    after = Number(r.rows[r.rows.length - 1]?.seq);
  }
}

/** One stored key version to test-unwrap after a copy: the first (by key creation order) that has material. */
export async function sampleKeyVersion(pg: PostgresDatabase): Promise<{ keyId: string; version: number } | undefined> {
  const r = await pg.db.query<{ key_id: string; version: number }>(
    'SELECT v.key_id, v.version FROM key_versions v JOIN keys k ON k.id = v.key_id ORDER BY k.seq, v.version LIMIT 1',
  );
  const row = r.rows[0];
  return row && { keyId: row.key_id, version: row.version };
}
