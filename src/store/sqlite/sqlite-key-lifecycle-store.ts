import type { StoredKeyVersion } from '../../core/key.js';
import type { DestructionRecord, KeyVersionInfo, RotationSettings, RotationType } from '../../core/lifecycle.js';
import type { KeyLifecycleStore } from '../../core/ports.js';
import { whenCommitted, type SqliteDatabase } from './database.js';
import { insertKeyVersion } from './sqlite-key-store.js';

interface RotationRow {
  enabled: number;
  period_days: number;
  next_rotation_at: number | null;
}

interface VersionRow {
  version: number;
  created_at: number;
  rotation_type: RotationType | null;
}

interface DestructionRow {
  key_id: string;
  versions: string;
  destroyed_at: number;
}

const toDestruction = (r: DestructionRow): DestructionRecord => ({
  keyId: r.key_id,
  versions: (JSON.parse(r.versions) as unknown[]).filter((v): v is number => typeof v === 'number'),
  destroyedAt: new Date(r.destroyed_at),
});

/**
 * The KeyLifecycleStore port on SQLite. Rotation is one transaction guarded by the expected primary
 * version; destruction is one transaction (material rows, aliases, rotation settings, tombstone and
 * destruction record) followed by a `wal_checkpoint(TRUNCATE)`. The connection runs with
 * `secure_delete = ON` (set by openDatabase), so SQLite overwrites deleted content with zeros instead of leaving it in free
 * space; the checkpoint then copies the overwritten pages into the database file and empties the WAL,
 * which still held the frames that wrote the material in the first place.
 */
export class SqliteKeyLifecycleStore implements KeyLifecycleStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  async getRotation(keyId: string): Promise<RotationSettings | undefined> {
    const r = this.#db.prepare<[string], RotationRow>('SELECT enabled, period_days, next_rotation_at FROM key_rotation WHERE key_id = ?').get(keyId);
    return r && { enabled: r.enabled === 1, periodDays: r.period_days, nextRotationAt: r.next_rotation_at === null ? undefined : new Date(r.next_rotation_at) };
  }

  async setRotation(keyId: string, s: RotationSettings): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO key_rotation (key_id, enabled, period_days, next_rotation_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(key_id) DO UPDATE SET enabled = excluded.enabled, period_days = excluded.period_days, next_rotation_at = excluded.next_rotation_at`,
      )
      .run(keyId, s.enabled ? 1 : 0, s.periodDays, s.enabled ? (s.nextRotationAt?.getTime() ?? null) : null);
  }

  async listVersions(keyId: string): Promise<readonly KeyVersionInfo[]> {
    return this.#db
      .prepare<[string], VersionRow>('SELECT version, created_at, rotation_type FROM key_versions WHERE key_id = ? ORDER BY version')
      .all(keyId)
      .map((r) => ({ version: r.version, createdAt: new Date(r.created_at), rotationType: r.rotation_type ?? undefined }));
  }

  async addVersion(v: StoredKeyVersion, rotationType: RotationType, expectedPrimary: number, nextRotationAt?: Date): Promise<boolean> {
    const db = this.#db;
    if (v.version !== expectedPrimary + 1) throw new Error('a new version must follow the expected primary version');
    return db.transaction(() => {
      const moved = db
        .prepare('UPDATE keys SET primary_version = ? WHERE id = ? AND primary_version = ? AND destroyed_at IS NULL')
        .run(v.version, v.keyId, expectedPrimary);
      if (moved.changes !== 1) return false;
      insertKeyVersion(db, v, rotationType);
      if (nextRotationAt !== undefined) {
        db.prepare('UPDATE key_rotation SET next_rotation_at = ? WHERE key_id = ? AND enabled = 1').run(nextRotationAt.getTime(), v.keyId);
      }
      return true;
    }).immediate();
  }

  async scheduleDeletion(keyId: string, deletionDate: Date): Promise<void> {
    this.#db.prepare("UPDATE keys SET state = 'PendingDeletion', deletion_date = ? WHERE id = ? AND destroyed_at IS NULL").run(deletionDate.getTime(), keyId);
  }

  async cancelDeletion(keyId: string): Promise<void> {
    this.#db.prepare("UPDATE keys SET state = 'Disabled', deletion_date = NULL WHERE id = ? AND destroyed_at IS NULL").run(keyId);
  }

  async dueRotations(now: Date): Promise<readonly string[]> {
    return this.#db
      .prepare<[number], { key_id: string }>(
        `SELECT r.key_id FROM key_rotation r JOIN keys k ON k.id = r.key_id
         WHERE r.enabled = 1 AND r.next_rotation_at <= ? AND k.state = 'Enabled' AND k.destroyed_at IS NULL ORDER BY r.next_rotation_at`,
      )
      .all(now.getTime())
      .map((r) => r.key_id);
  }

  async dueDeletions(now: Date): Promise<readonly string[]> {
    return this.#db
      .prepare<[number], { id: string }>(
        "SELECT id FROM keys WHERE state = 'PendingDeletion' AND deletion_date IS NOT NULL AND deletion_date <= ? AND destroyed_at IS NULL ORDER BY deletion_date",
      )
      .all(now.getTime())
      .map((r) => r.id);
  }

  async destroyKey(keyId: string, now: Date): Promise<DestructionRecord | undefined> {
    const db = this.#db;
    const record = db.transaction((): DestructionRecord | undefined => {
      const due = db
        .prepare<[string, number], { id: string }>(
          "SELECT id FROM keys WHERE id = ? AND state = 'PendingDeletion' AND deletion_date <= ? AND destroyed_at IS NULL",
        )
        .get(keyId, now.getTime());
      if (due === undefined) return undefined;
      const versions = db
        .prepare<[string], { version: number }>('SELECT version FROM key_versions WHERE key_id = ? ORDER BY version')
        .all(keyId)
        .map((r) => r.version);
      db.prepare('DELETE FROM key_versions WHERE key_id = ?').run(keyId);
      db.prepare('DELETE FROM aliases WHERE key_id = ?').run(keyId);
      db.prepare('DELETE FROM key_rotation WHERE key_id = ?').run(keyId);
      db.prepare('UPDATE keys SET destroyed_at = ? WHERE id = ?').run(now.getTime(), keyId);
      db.prepare('INSERT INTO key_destructions (key_id, versions, destroyed_at) VALUES (?, ?, ?)').run(keyId, JSON.stringify(versions), now.getTime());
      return { keyId, versions, destroyedAt: now };
    }).immediate();
    return record;
  }

  async getDestruction(keyId: string): Promise<DestructionRecord | undefined> {
    const r = this.#db.prepare<[string], DestructionRow>('SELECT key_id, versions, destroyed_at FROM key_destructions WHERE key_id = ?').get(keyId);
    return r && toDestruction(r);
  }

  async scrub(): Promise<void> {
    // Inside the audit transaction of a mutation, the checkpoint runs once it has committed.
    whenCommitted(this.#db, () => this.#db.pragma('wal_checkpoint(TRUNCATE)'));
  }
}
