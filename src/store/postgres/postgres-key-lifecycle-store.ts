import type { StoredKeyVersion } from '../../core/key.js';
import type { DestructionRecord, KeyVersionInfo, RotationSettings, RotationType } from '../../core/lifecycle.js';
import type { KeyLifecycleStore } from '../../core/ports.js';
import type { PostgresDatabase } from './database.js';
import { insertKeyVersion } from './postgres-key-store.js';

/** The bound on the scrub's VACUUM (the pool's statement bound is for requests). */
const SCRUB_TIMEOUT_MS = 10 * 60_000;

/**
 * The KeyLifecycleStore port on PostgreSQL. Rotation is a compare-and-set on the primary version (under
 * READ COMMITTED an UPDATE re-checks its WHERE on the newest row after waiting for a concurrent writer, so
 * two nodes rotating the same key add one version); destruction locks the key row (`FOR UPDATE`) so that a
 * concurrent CancelKeyDeletion either wins before it or sees the tombstone.
 */
export class PostgresKeyLifecycleStore implements KeyLifecycleStore {
  readonly #pg: PostgresDatabase;

  constructor(pg: PostgresDatabase) {
    this.#pg = pg;
  }

  async getRotation(keyId: string): Promise<RotationSettings | undefined> {
    const r = (
      await this.#pg.db.query<{ enabled: boolean; period_days: number; next_rotation_at: Date | null }>(
        'SELECT enabled, period_days, next_rotation_at FROM key_rotation WHERE key_id = $1',
        [keyId],
      )
    ).rows[0];
    return r && { enabled: r.enabled, periodDays: r.period_days, nextRotationAt: r.next_rotation_at ?? undefined };
  }

  async setRotation(keyId: string, s: RotationSettings): Promise<void> {
    await this.#pg.db.query(
      `INSERT INTO key_rotation (key_id, enabled, period_days, next_rotation_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (key_id) DO UPDATE SET enabled = excluded.enabled, period_days = excluded.period_days, next_rotation_at = excluded.next_rotation_at`,
      [keyId, s.enabled, s.periodDays, s.enabled ? (s.nextRotationAt ?? null) : null],
    );
  }

  async listVersions(keyId: string): Promise<readonly KeyVersionInfo[]> {
    const r = await this.#pg.db.query<{ version: number; created_at: Date; rotation_type: RotationType | null }>(
      'SELECT version, created_at, rotation_type FROM key_versions WHERE key_id = $1 ORDER BY version',
      [keyId],
    );
    return r.rows.map((v) => ({ version: v.version, createdAt: v.created_at, rotationType: v.rotation_type ?? undefined }));
  }

  async addVersion(v: StoredKeyVersion, rotationType: RotationType, expectedPrimary: number, nextRotationAt?: Date): Promise<boolean> {
    if (v.version !== expectedPrimary + 1) throw new Error('a new version must follow the expected primary version');
    return this.#pg.transactions.run(async () => {
      const q = this.#pg.db;
      const moved = await q.query('UPDATE keys SET primary_version = $1 WHERE id = $2 AND primary_version = $3 AND destroyed_at IS NULL', [v.version, v.keyId, expectedPrimary]);
      if (moved.rowCount !== 1) return false;
      await insertKeyVersion(q, v, rotationType);
      if (nextRotationAt !== undefined) await q.query('UPDATE key_rotation SET next_rotation_at = $1 WHERE key_id = $2 AND enabled', [nextRotationAt, v.keyId]);
      return true;
    });
  }

  async scheduleDeletion(keyId: string, deletionDate: Date): Promise<void> {
    await this.#pg.db.query("UPDATE keys SET state = 'PendingDeletion', deletion_date = $1 WHERE id = $2 AND destroyed_at IS NULL", [deletionDate, keyId]);
  }

  async cancelDeletion(keyId: string): Promise<void> {
    await this.#pg.db.query("UPDATE keys SET state = 'Disabled', deletion_date = NULL WHERE id = $1 AND destroyed_at IS NULL", [keyId]);
  }

  async dueRotations(now: Date): Promise<readonly string[]> {
    const r = await this.#pg.db.query<{ key_id: string }>(
      `SELECT r.key_id FROM key_rotation r JOIN keys k ON k.id = r.key_id
       WHERE r.enabled AND r.next_rotation_at <= $1 AND k.state = 'Enabled' AND k.destroyed_at IS NULL ORDER BY r.next_rotation_at, r.key_id`,
      [now],
    );
    return r.rows.map((x) => x.key_id);
  }

  async dueDeletions(now: Date): Promise<readonly string[]> {
    const r = await this.#pg.db.query<{ id: string }>(
      "SELECT id FROM keys WHERE state = 'PendingDeletion' AND deletion_date IS NOT NULL AND deletion_date <= $1 AND destroyed_at IS NULL ORDER BY deletion_date, id",
      [now],
    );
    return r.rows.map((x) => x.id);
  }

  async destroyKey(keyId: string, now: Date): Promise<DestructionRecord | undefined> {
    return this.#pg.transactions.run(async () => {
      const q = this.#pg.db;
      const due = await q.query(
        "SELECT id FROM keys WHERE id = $1 AND state = 'PendingDeletion' AND deletion_date <= $2 AND destroyed_at IS NULL FOR UPDATE",
        [keyId, now],
      );
      if (due.rowCount !== 1) return undefined;
      const deleted = await q.query<{ version: number }>('DELETE FROM key_versions WHERE key_id = $1 RETURNING version', [keyId]);
      const versions = deleted.rows.map((r) => r.version).sort((a, b) => a - b);
      await q.query('DELETE FROM aliases WHERE key_id = $1', [keyId]);
      await q.query('DELETE FROM key_rotation WHERE key_id = $1', [keyId]);
      await q.query('UPDATE keys SET destroyed_at = $1 WHERE id = $2', [now, keyId]);
      await q.query('INSERT INTO key_destructions (key_id, versions, destroyed_at) VALUES ($1, $2, $3)', [keyId, versions, now]);
      return { keyId, versions, destroyedAt: now };
    });
  }

  async getDestruction(keyId: string): Promise<DestructionRecord | undefined> {
    const r = (await this.#pg.db.query<{ key_id: string; versions: number[]; destroyed_at: Date }>('SELECT key_id, versions, destroyed_at FROM key_destructions WHERE key_id = $1', [keyId])).rows[0];
    return r && { keyId: r.key_id, versions: r.versions, destroyedAt: r.destroyed_at };
  }

  /**
   * VACUUM the tables that held the deleted material, so their dead row versions are pruned. Weaker than
   * SQLite's secure_delete (ADR 0013): PostgreSQL does not promise to overwrite freed bytes, and the WAL,
   * standbys and backups keep them until recycled. VACUUM cannot run in a transaction: inside one this is
   * a no-op, and the unit of work is to call it after its commit (phase 2).
   */
  async scrub(): Promise<void> {
    if (this.#pg.transactions.inTransaction) return;
    // VACUUM of a large table may outlast the pool's statement bound, which is meant for requests.
    const vacuum = { text: 'VACUUM key_versions, import_tokens', query_timeout: SCRUB_TIMEOUT_MS };
    await this.#pg.pool.query(vacuum);
  }
}
