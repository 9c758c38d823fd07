import type { StoredKeyVersion } from '../../core/key.js';
import type { ExpirationModel, ImportTokenRecord, KeyImportRecord, KeyImportStore, WrappingAlgorithm, WrappingKeySpec } from '../../core/key-import.js';
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
  fingerprint: Buffer;
  expiration_model: ExpirationModel;
  valid_to: number | null;
  imported_at: number;
  material_description: string | null;
}

/** The KeyImportStore port on SQLite (tables from migration 0006-asymmetric-byok). */
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
      // A used token's wrapping private key is of no further use: it is erased with the use.
      const used = db.prepare("UPDATE import_tokens SET used_at = ?, wrapped_private_key = X'' WHERE token_id = ? AND used_at IS NULL").run(usedAt.getTime(), tokenId);
      if (used.changes !== 1) return false;
      db.prepare('DELETE FROM key_versions WHERE key_id = ?').run(v.keyId);
      insertKeyVersion(db, v);
      db.prepare(
        `INSERT INTO key_imports (key_id, fingerprint, expiration_model, valid_to, imported_at, material_description) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (key_id) DO UPDATE SET expiration_model = excluded.expiration_model, valid_to = excluded.valid_to, imported_at = excluded.imported_at,
           material_description = excluded.material_description`,
      ).run(record.keyId, record.fingerprint, record.expirationModel, record.validTo?.getTime() ?? null, record.importedAt.getTime(), record.description ?? null);
      db.prepare("UPDATE keys SET state = 'Enabled' WHERE id = ? AND state = 'PendingImport'").run(v.keyId);
      return true;
    }).immediate();
  }

  async getImport(keyId: string): Promise<KeyImportRecord | undefined> {
    const r = this.#db.prepare<[string], ImportRow>('SELECT * FROM key_imports WHERE key_id = ?').get(keyId);
    return (
      r && {
        keyId: r.key_id,
        fingerprint: r.fingerprint,
        expirationModel: r.expiration_model,
        validTo: r.valid_to === null ? undefined : new Date(r.valid_to),
        importedAt: new Date(r.imported_at),
        description: r.material_description ?? undefined,
      }
    );
  }

  async expiredMaterial(now: Date): Promise<readonly string[]> {
    return this.#db
      .prepare<[number], { key_id: string }>(
        `SELECT i.key_id FROM key_imports i JOIN keys k ON k.id = i.key_id
         WHERE i.expiration_model = 'KEY_MATERIAL_EXPIRES' AND i.valid_to IS NOT NULL AND i.valid_to <= ?
           AND k.state <> 'PendingImport' AND k.destroyed_at IS NULL`,
      )
      .all(now.getTime())
      .map((r) => r.key_id);
  }

  async deleteMaterial(keyId: string, expiredBy?: Date): Promise<boolean> {
    const db = this.#db;
    return db.transaction(() => {
      // With `expiredBy`, only material that is still expired at commit time: a re-import in between wins.
      if (expiredBy !== undefined) {
        const still = db
          .prepare<[string, number], { n: number }>("SELECT COUNT(*) AS n FROM key_imports WHERE key_id = ? AND expiration_model = 'KEY_MATERIAL_EXPIRES' AND valid_to <= ?")
          .get(keyId, expiredBy.getTime());
        if ((still?.n ?? 0) === 0) return false;
      }
      db.prepare('DELETE FROM key_versions WHERE key_id = ?').run(keyId);
      db.prepare("UPDATE keys SET state = 'PendingImport' WHERE id = ?").run(keyId);
      return true;
    }).immediate();
  }

}
