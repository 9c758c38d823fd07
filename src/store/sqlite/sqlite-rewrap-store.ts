import type { RewrapStore, WrappedRow, WrappedSecret } from '../../core/ports.js';
import type { SqliteDatabase } from './database.js';

/**
 * Every table that holds a secret wrapped under a domain key: key material (`key_versions`) and access
 * key secrets (`access_keys`). A feature that adds such a table must add it here, or a root rotation
 * leaves its rows under the old domain key (still readable, but never rewrapped).
 */
export class SqliteRewrapStore implements RewrapStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  async listStale(current: number, limit: number): Promise<readonly WrappedRow[]> {
    const material = this.#db
      .prepare<[number, number], { key_id: string; version: number; domain_key_version: number; wrapped_material: Buffer }>(
        'SELECT key_id, version, domain_key_version, wrapped_material FROM key_versions WHERE domain_key_version <> ? LIMIT ?',
      )
      .all(current, limit)
      .map((r): WrappedRow => ({ kind: 'key-material', id: r.key_id, version: r.version, domainKeyVersion: r.domain_key_version, wrapped: r.wrapped_material }));
    if (material.length >= limit) return material;
    const access = this.#db
      .prepare<[number, number], { access_key_id: string; domain_key_version: number; wrapped_secret: Buffer }>(
        'SELECT access_key_id, domain_key_version, wrapped_secret FROM access_keys WHERE domain_key_version <> ? LIMIT ?',
      )
      .all(current, limit - material.length)
      .map((r): WrappedRow => ({ kind: 'access-key', id: r.access_key_id, version: 0, domainKeyVersion: r.domain_key_version, wrapped: r.wrapped_secret }));
    return [...material, ...access];
  }

  async countStale(current: number): Promise<number> {
    const a = this.#db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM key_versions WHERE domain_key_version <> ?').get(current)?.n ?? 0;
    const b = this.#db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM access_keys WHERE domain_key_version <> ?').get(current)?.n ?? 0;
    return a + b;
  }

  async replaceWrapping(row: WrappedRow, next: WrappedSecret): Promise<boolean> {
    const r =
      row.kind === 'key-material'
        ? this.#db
            .prepare('UPDATE key_versions SET domain_key_version = ?, wrapped_material = ? WHERE key_id = ? AND version = ? AND domain_key_version = ? AND wrapped_material = ?')
            .run(next.domainKeyVersion, next.wrapped, row.id, row.version, row.domainKeyVersion, row.wrapped)
        : this.#db
            .prepare('UPDATE access_keys SET domain_key_version = ?, wrapped_secret = ? WHERE access_key_id = ? AND domain_key_version = ? AND wrapped_secret = ?')
            .run(next.domainKeyVersion, next.wrapped, row.id, row.domainKeyVersion, row.wrapped);
    return r.changes === 1;
  }
}
