import type { RewrapStore, WrappedRow, WrappedSecret } from '../../core/ports.js';
import type { SqliteDatabase } from './database.js';

interface Table {
  readonly kind: WrappedRow['kind'];
  readonly table: string;
  /** SQL expressions for the row's id, version and key id (see WrappedRow). */
  readonly id: string;
  readonly version: string;
  readonly keyId: string;
  readonly wrapped: string;
  /** The row's primary key condition, in the order of `key(row)`. */
  readonly match: string;
  key(row: WrappedRow): (string | number)[];
  /** Rows that hold no secret any more (a used import token keeps an empty column). */
  readonly live: string;
}

/**
 * Every table that holds a secret wrapped under a domain key. A feature that adds such a table must add
 * it here, or a root rotation leaves its rows under the old domain key (still readable, but never
 * rewrapped, so the old domain key can never be retired).
 */
const TABLES: readonly Table[] = [
  { kind: 'key-material', table: 'key_versions', id: 'key_id', version: 'version', keyId: "''", wrapped: 'wrapped_material', match: 'key_id = ? AND version = ?', key: (r) => [r.id, r.version], live: '1' },
  { kind: 'access-key', table: 'access_keys', id: 'access_key_id', version: '0', keyId: "''", wrapped: 'wrapped_secret', match: 'access_key_id = ?', key: (r) => [r.id], live: '1' },
  { kind: 'import-token', table: 'import_tokens', id: 'token_id', version: '0', keyId: 'key_id', wrapped: 'wrapped_private_key', match: 'token_id = ?', key: (r) => [r.id], live: 'used_at IS NULL AND length(wrapped_private_key) > 0' },
  { kind: 'audit-signing-key', table: 'audit_signing_keys', id: "CAST(id AS TEXT)", version: '0', keyId: "''", wrapped: 'wrapped_private', match: 'id = CAST(? AS INTEGER)', key: (r) => [r.id], live: '1' },
  { kind: 'mfa-device', table: 'mfa_devices', id: 'principal_id', version: '0', keyId: "''", wrapped: 'wrapped_secret', match: 'principal_id = ?', key: (r) => [r.id], live: '1' },
  { kind: 'custom-key-store', table: 'custom_key_stores', id: 'id', version: '0', keyId: "''", wrapped: 'wrapped_secret', match: 'id = ?', key: (r) => [r.id], live: '1' },
];

export class SqliteRewrapStore implements RewrapStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  async listStale(current: number, limit: number): Promise<readonly WrappedRow[]> {
    const rows: WrappedRow[] = [];
    for (const t of TABLES) {
      if (rows.length >= limit) break;
      const found = this.#db
        .prepare<[number, number], { id: string; version: number; key_id: string; domain_key_version: number; wrapped: Buffer }>(
          `SELECT ${t.id} AS id, ${t.version} AS version, ${t.keyId} AS key_id, domain_key_version, ${t.wrapped} AS wrapped FROM ${t.table} WHERE domain_key_version <> ? AND ${t.live} LIMIT ?`,
        )
        .all(current, limit - rows.length);
      for (const r of found) rows.push({ kind: t.kind, id: r.id, version: r.version, keyId: r.key_id, domainKeyVersion: r.domain_key_version, wrapped: r.wrapped });
    }
    return rows;
  }

  async countStale(current: number): Promise<number> {
    let n = 0;
    for (const t of TABLES) {
      n += this.#db.prepare<[number], { n: number }>(`SELECT COUNT(*) AS n FROM ${t.table} WHERE domain_key_version <> ? AND ${t.live}`).get(current)?.n ?? 0;
    }
    return n;
  }

  async replaceWrapping(row: WrappedRow, next: WrappedSecret): Promise<boolean> {
    const t = TABLES.find((x) => x.kind === row.kind);
    if (t === undefined) return false;
    const r = this.#db
      .prepare(`UPDATE ${t.table} SET domain_key_version = ?, ${t.wrapped} = ? WHERE ${t.match} AND domain_key_version = ? AND ${t.wrapped} = ?`)
      .run(next.domainKeyVersion, next.wrapped, ...t.key(row), row.domainKeyVersion, row.wrapped);
    return r.changes === 1;
  }
}
