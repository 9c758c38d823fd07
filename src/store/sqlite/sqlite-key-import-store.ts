import type { StoredKeyVersion } from '../../core/key.js';
import type { ExpirationModel, ExpiredMaterial, ImportTokenRecord, KeyImportGeneration, KeyImportRecord, KeyImportStore, WrappingAlgorithm, WrappingKeySpec } from '../../core/key-import.js';
import type { SqliteDatabase } from './database.js';
import { insertKeyVersion } from './sqlite-key-store.js';

interface TokenRow {
  token_id: string;
  key_id: string;
  wrapping_key_spec: WrappingKeySpec;
  wrapping_algorithm: WrappingAlgorithm;
  domain_key_version: number;
  wrapped_private_key: Buffer;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

interface ImportRow {
  key_id: string;
  version: number;
  fingerprint: Buffer;
  expiration_model: ExpirationModel;
  valid_to: number | null;
  imported_at: number;
  material_description: string | null;
  rotated_at: number | null;
}

const recordOf = (r: ImportRow): KeyImportRecord => ({
  keyId: r.key_id,
  version: r.version,
  fingerprint: r.fingerprint,
  expirationModel: r.expiration_model,
  validTo: r.valid_to === null ? undefined : new Date(r.valid_to),
  importedAt: new Date(r.imported_at),
  description: r.material_description ?? undefined,
  rotatedAt: r.rotated_at === null ? undefined : new Date(r.rotated_at),
});

/** Whether a generation's material is stored (a key_versions row for the import row `i`). */
const STORED = 'EXISTS (SELECT 1 FROM key_versions v WHERE v.key_id = i.key_id AND v.version = i.version)';

/** The KeyImportStore port on SQLite (tables from migrations 0006-asymmetric-byok and 0014-key-material-generations). */
export class SqliteKeyImportStore implements KeyImportStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  async putToken(t: ImportTokenRecord): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO import_tokens (token_id, key_id, wrapping_key_spec, wrapping_algorithm, domain_key_version, wrapped_private_key, created_at, expires_at, used_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
      )
      .run(t.tokenId, t.keyId, t.wrappingKeySpec, t.wrappingAlgorithm, t.wrappedPrivateKey.domainKeyVersion, t.wrappedPrivateKey.wrapped, t.createdAt.getTime(), t.expiresAt.getTime());
  }

  async getToken(tokenId: string): Promise<ImportTokenRecord | undefined> {
    const r = this.#db.prepare<[string], TokenRow>('SELECT * FROM import_tokens WHERE token_id = ?').get(tokenId);
    return (
      r && {
        tokenId: r.token_id,
        keyId: r.key_id,
        wrappingKeySpec: r.wrapping_key_spec,
        wrappingAlgorithm: r.wrapping_algorithm,
        wrappedPrivateKey: { domainKeyVersion: r.domain_key_version, wrapped: r.wrapped_private_key },
        createdAt: new Date(r.created_at),
        expiresAt: new Date(r.expires_at),
        usedAt: r.used_at === null ? undefined : new Date(r.used_at),
      }
    );
  }

  async importMaterial(tokenId: string, usedAt: Date, v: StoredKeyVersion, record: KeyImportRecord): Promise<boolean> {
    const db = this.#db;
    return db.transaction(() => {
      const before = db.prepare<[string, number], { fingerprint: Buffer }>('SELECT fingerprint FROM key_imports WHERE key_id = ? AND version = ?').get(record.keyId, record.version);
      if (before !== undefined && !before.fingerprint.equals(record.fingerprint)) return false;
      // A used token's wrapping private key is of no further use: it is erased with the use.
      const used = db.prepare("UPDATE import_tokens SET used_at = ?, wrapped_private_key = X'' WHERE token_id = ? AND used_at IS NULL").run(usedAt.getTime(), tokenId);
      if (used.changes !== 1) return false;
      db.prepare('DELETE FROM key_versions WHERE key_id = ? AND version = ?').run(v.keyId, v.version);
      insertKeyVersion(db, v);
      // New material pending rotation takes the place of a pending generation whose material was deleted.
      db.prepare(
        `DELETE FROM key_imports WHERE key_id = ? AND version <> ? AND version > (SELECT k.primary_version FROM keys k WHERE k.id = key_imports.key_id)
           AND NOT EXISTS (SELECT 1 FROM key_versions v WHERE v.key_id = key_imports.key_id AND v.version = key_imports.version)`,
      ).run(record.keyId, record.version);
      db.prepare(
        `INSERT INTO key_imports (key_id, version, fingerprint, expiration_model, valid_to, imported_at, material_description) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (key_id, version) DO UPDATE SET expiration_model = excluded.expiration_model, valid_to = excluded.valid_to, imported_at = excluded.imported_at,
           material_description = excluded.material_description`,
      ).run(record.keyId, record.version, record.fingerprint, record.expirationModel, record.validTo?.getTime() ?? null, record.importedAt.getTime(), record.description ?? null);
      db.prepare(
        `UPDATE keys SET state = 'Enabled' WHERE id = ? AND state = 'PendingImport'
           AND NOT EXISTS (SELECT 1 FROM key_imports i WHERE i.key_id = keys.id AND i.version <= keys.primary_version AND NOT ${STORED})`,
      ).run(v.keyId);
      return true;
    }).immediate();
  }

  async getImport(keyId: string, version?: number): Promise<KeyImportRecord | undefined> {
    const r =
      version === undefined
        ? this.#db.prepare<[string], ImportRow>('SELECT i.* FROM key_imports i JOIN keys k ON k.id = i.key_id AND k.primary_version = i.version WHERE i.key_id = ?').get(keyId)
        : this.#db.prepare<[string, number], ImportRow>('SELECT * FROM key_imports WHERE key_id = ? AND version = ?').get(keyId, version);
    return r && recordOf(r);
  }

  async listImports(keyId: string): Promise<readonly KeyImportGeneration[]> {
    return this.#db
      .prepare<[string], ImportRow & { imported: number }>(`SELECT i.*, ${STORED} AS imported FROM key_imports i WHERE i.key_id = ? ORDER BY i.version`)
      .all(keyId)
      .map((r) => ({ ...recordOf(r), imported: r.imported === 1 }));
  }

  async expiredMaterial(now: Date): Promise<readonly ExpiredMaterial[]> {
    return this.#db
      .prepare<[number], { key_id: string; version: number }>(
        `SELECT i.key_id, i.version FROM key_imports i JOIN keys k ON k.id = i.key_id
         WHERE i.expiration_model = 'KEY_MATERIAL_EXPIRES' AND i.valid_to IS NOT NULL AND i.valid_to <= ?
           AND k.destroyed_at IS NULL AND ${STORED}`,
      )
      .all(now.getTime())
      .map((r) => ({ keyId: r.key_id, version: r.version }));
  }

  async deleteMaterial(keyId: string, version: number, expiredBy?: Date): Promise<boolean> {
    const db = this.#db;
    return db.transaction(() => {
      // With `expiredBy`, only material that is still expired at commit time: a re-import in between wins.
      if (expiredBy !== undefined) {
        const still = db
          .prepare<[string, number, number], { n: number }>(
            "SELECT COUNT(*) AS n FROM key_imports WHERE key_id = ? AND version = ? AND expiration_model = 'KEY_MATERIAL_EXPIRES' AND valid_to <= ?",
          )
          .get(keyId, version, expiredBy.getTime());
        if ((still?.n ?? 0) === 0) return false;
      }
      db.prepare('DELETE FROM key_versions WHERE key_id = ? AND version = ?').run(keyId, version);
      db.prepare("UPDATE keys SET state = 'PendingImport' WHERE id = ? AND primary_version >= ?").run(keyId, version);
      return true;
    }).immediate();
  }

  async rotateToImported(keyId: string, version: number, expectedPrimary: number, rotatedAt: Date): Promise<boolean> {
    const db = this.#db;
    return db.transaction(() => {
      const pending = db
        .prepare<[string, number, number], { n: number }>(`SELECT COUNT(*) AS n FROM key_imports i WHERE i.key_id = ? AND i.version = ? AND i.version > ? AND ${STORED}`)
        .get(keyId, version, expectedPrimary);
      if ((pending?.n ?? 0) === 0) return false;
      const moved = db.prepare('UPDATE keys SET primary_version = ? WHERE id = ? AND primary_version = ? AND destroyed_at IS NULL').run(version, keyId, expectedPrimary);
      if (moved.changes !== 1) return false;
      db.prepare('UPDATE key_imports SET rotated_at = ? WHERE key_id = ? AND version = ?').run(rotatedAt.getTime(), keyId, version);
      return true;
    }).immediate();
  }
}
