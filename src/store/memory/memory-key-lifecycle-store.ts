import type { StoredKeyVersion } from '../../core/key.js';
import type { DestructionRecord, KeyVersionInfo, RotationSettings, RotationType } from '../../core/lifecycle.js';
import type { KeyLifecycleStore } from '../../core/ports.js';
import type { MemoryDatabase } from './memory-database.js';
import { insertKeyVersion } from './memory-key-store.js';
import { atomic, deleteWhere, put, requireParent, rows, tables, type KeyRow, type Tables } from './tables.js';

/** The KeyLifecycleStore port in memory, with SqliteKeyLifecycleStore's semantics; `scrub` has nothing to forget. */
export class MemoryKeyLifecycleStore implements KeyLifecycleStore {
  readonly #db: MemoryDatabase;
  readonly #t: Tables;

  constructor(db: MemoryDatabase) {
    this.#db = db;
    this.#t = tables(db);
  }

  async getRotation(keyId: string): Promise<RotationSettings | undefined> {
    const r = this.#t.rotation.get(keyId);
    return r && { enabled: r.enabled, periodDays: r.periodDays, nextRotationAt: r.nextRotationAt === null ? undefined : new Date(r.nextRotationAt) };
  }

  async setRotation(keyId: string, s: RotationSettings): Promise<void> {
    requireParent(this.#t.keys.has(keyId), `key ${keyId}`);
    put(this.#t.rotation, keyId, { keyId, enabled: s.enabled, periodDays: s.periodDays, nextRotationAt: s.enabled ? (s.nextRotationAt?.getTime() ?? null) : null });
  }

  async listVersions(keyId: string): Promise<readonly KeyVersionInfo[]> {
    return rows(this.#t.keyVersions, (r) => r.keyId === keyId)
      .sort((a, b) => a.version - b.version)
      .map((r) => ({ version: r.version, createdAt: new Date(r.createdAt), rotationType: r.rotationType ?? undefined }));
  }

  async addVersion(v: StoredKeyVersion, rotationType: RotationType, expectedPrimary: number, nextRotationAt?: Date): Promise<boolean> {
    if (v.version !== expectedPrimary + 1) throw new Error('a new version must follow the expected primary version');
    const t = this.#t;
    return atomic(this.#db, () => {
      const key = t.keys.get(v.keyId);
      if (key === undefined || key.primaryVersion !== expectedPrimary || key.destroyedAt !== null) return false;
      put(t.keys, key.id, { ...key, primaryVersion: v.version });
      insertKeyVersion(t, v, rotationType);
      const rotation = t.rotation.get(v.keyId);
      if (nextRotationAt !== undefined && rotation?.enabled === true) put(t.rotation, v.keyId, { ...rotation, nextRotationAt: nextRotationAt.getTime() });
      return true;
    });
  }

  async scheduleDeletion(keyId: string, deletionDate: Date): Promise<void> {
    this.#update(keyId, (k) => ({ ...k, state: 'PendingDeletion', deletionDate: deletionDate.getTime() }));
  }

  async cancelDeletion(keyId: string): Promise<void> {
    this.#update(keyId, (k) => ({ ...k, state: 'Disabled', deletionDate: null }));
  }

  #update(keyId: string, change: (k: KeyRow) => KeyRow): void {
    const k = this.#t.keys.get(keyId);
    if (k !== undefined && k.destroyedAt === null) put(this.#t.keys, keyId, change(k));
  }

  async dueRotations(now: Date): Promise<readonly string[]> {
    const t = this.#t;
    return rows(t.rotation, (r) => {
      const k = t.keys.get(r.keyId);
      return r.enabled && r.nextRotationAt !== null && r.nextRotationAt <= now.getTime() && k?.state === 'Enabled' && k.destroyedAt === null;
    })
      .sort((a, b) => (a.nextRotationAt ?? 0) - (b.nextRotationAt ?? 0))
      .map((r) => r.keyId);
  }

  async dueDeletions(now: Date): Promise<readonly string[]> {
    return this.#due(now)
      .sort((a, b) => (a.deletionDate ?? 0) - (b.deletionDate ?? 0))
      .map((k) => k.id);
  }

  #due(now: Date, keyId?: string): KeyRow[] {
    return rows(
      this.#t.keys,
      (k) => (keyId === undefined || k.id === keyId) && k.state === 'PendingDeletion' && k.deletionDate !== null && k.deletionDate <= now.getTime() && k.destroyedAt === null,
    );
  }

  async destroyKey(keyId: string, now: Date): Promise<DestructionRecord | undefined> {
    const t = this.#t;
    return atomic(this.#db, () => {
      const key = this.#due(now, keyId)[0];
      if (key === undefined) return undefined;
      const versions = rows(t.keyVersions, (r) => r.keyId === keyId)
        .map((r) => r.version)
        .sort((a, b) => a - b);
      deleteWhere(t.keyVersions, (r) => r.keyId === keyId);
      deleteWhere(t.aliases, (r) => r.keyId === keyId);
      t.rotation.delete(keyId);
      put(t.keys, keyId, { ...key, destroyedAt: now.getTime() });
      put(t.destructions, keyId, { keyId, versions: Object.freeze([...versions]), destroyedAt: now.getTime() });
      return { keyId, versions, destroyedAt: now };
    });
  }

  async getDestruction(keyId: string): Promise<DestructionRecord | undefined> {
    const r = this.#t.destructions.get(keyId);
    return r && { keyId: r.keyId, versions: [...r.versions], destroyedAt: new Date(r.destroyedAt) };
  }

  /** Deleted rows are gone from memory once no snapshot holds them: nothing to do. */
  async scrub(): Promise<void> {}
}
