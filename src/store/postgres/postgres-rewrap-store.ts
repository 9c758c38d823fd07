import type { RewrapStore, WrappedRow, WrappedSecret } from '../../core/ports.js';
import type { PostgresDatabase } from './database.js';

interface Table {
  readonly kind: WrappedRow['kind'];
  readonly table: string;
  /** SQL expressions for the row's id, version and key id (see WrappedRow). */
  readonly id: string;
  readonly version: string;
  readonly keyId: string;
  readonly wrapped: string;
  /** The row's primary key condition on parameters $3.., in the order of `key(row)`. */
  readonly match: string;
  key(row: WrappedRow): (string | number)[];
  /** Rows that hold no secret any more (a used import token keeps an empty column). */
  readonly live: string;
}

/**
 * Every table that holds a secret wrapped under a domain key (as SqliteRewrapStore's list). A feature that
 * adds such a table must add it here, or a root rotation leaves its rows under the old domain key. Only
 * these fixed names reach the SQL.
 */
const TABLES: readonly Table[] = [
  { kind: 'key-material', table: 'key_versions', id: 'key_id', version: 'version', keyId: "''", wrapped: 'wrapped_material', match: 'key_id = $3 AND version = $4', key: (r) => [r.id, r.version], live: 'true' },
  { kind: 'access-key', table: 'access_keys', id: 'access_key_id', version: '0', keyId: "''", wrapped: 'wrapped_secret', match: 'access_key_id = $3', key: (r) => [r.id], live: 'true' },
  { kind: 'import-token', table: 'import_tokens', id: 'token_id', version: '0', keyId: 'key_id', wrapped: 'wrapped_private_key', match: 'token_id = $3', key: (r) => [r.id], live: 'used_at IS NULL AND length(wrapped_private_key) > 0' },
  // One signing key per node's chain (migration 0002): the row id is the chain id.
  { kind: 'audit-signing-key', table: 'audit_signing_keys', id: 'chain_id', version: '0', keyId: "''", wrapped: 'wrapped_private', match: 'chain_id = $3', key: (r) => [r.id], live: 'true' },
  { kind: 'mfa-device', table: 'mfa_devices', id: 'principal_id', version: '0', keyId: "''", wrapped: 'wrapped_secret', match: 'principal_id = $3', key: (r) => [r.id], live: 'true' },
  { kind: 'custom-key-store', table: 'custom_key_stores', id: 'id', version: '0', keyId: "''", wrapped: 'wrapped_secret', match: 'id = $3', key: (r) => [r.id], live: 'true' },
];

/** The RewrapStore port on PostgreSQL: each replacement is a compare-and-set on the wrapping read. */
export class PostgresRewrapStore implements RewrapStore {
  readonly #pg: PostgresDatabase;

  constructor(pg: PostgresDatabase) {
    this.#pg = pg;
  }

  async listStale(current: number, limit: number): Promise<readonly WrappedRow[]> {
    const rows: WrappedRow[] = [];
    for (const t of TABLES) {
      if (rows.length >= limit) break;
      const found = await this.#pg.db.query<{ id: string; version: number; key_id: string; domain_key_version: number; wrapped: Buffer }>(
        `SELECT ${t.id} AS id, ${t.version} AS version, ${t.keyId} AS key_id, domain_key_version, ${t.wrapped} AS wrapped
         FROM ${t.table} WHERE domain_key_version <> $1 AND ${t.live} LIMIT $2`,
        [current, limit - rows.length],
      );
      for (const r of found.rows) rows.push({ kind: t.kind, id: r.id, version: r.version, keyId: r.key_id, domainKeyVersion: r.domain_key_version, wrapped: r.wrapped });
    }
    return rows;
  }

  async countStale(current: number): Promise<number> {
    let n = 0;
    for (const t of TABLES) {
      const r = await this.#pg.db.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM ${t.table} WHERE domain_key_version <> $1 AND ${t.live}`, [current]);
      n += r.rows[0]?.n ?? 0;
    }
    return n;
  }

  async replaceWrapping(row: WrappedRow, next: WrappedSecret): Promise<boolean> {
    const t = TABLES.find((x) => x.kind === row.kind);
    if (t === undefined) return false;
    const n = t.key(row).length;
    const r = await this.#pg.db.query(
      `UPDATE ${t.table} SET domain_key_version = $1, ${t.wrapped} = $2 WHERE ${t.match} AND domain_key_version = $${3 + n} AND ${t.wrapped} = $${4 + n}`,
      [next.domainKeyVersion, next.wrapped, ...t.key(row), row.domainKeyVersion, row.wrapped],
    );
    return r.rowCount === 1;
  }
}
