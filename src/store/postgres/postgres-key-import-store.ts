import type { StoredKeyVersion } from '../../core/key.js';
import type { ExpirationModel, ImportTokenRecord, KeyImportRecord, KeyImportStore, WrappingAlgorithm, WrappingKeySpec } from '../../core/key-import.js';
import type { PostgresDatabase } from './database.js';
import { insertKeyVersion } from './postgres-key-store.js';

interface TokenRow {
  token_id: string;
  key_id: string;
  wrapping_key_spec: WrappingKeySpec;
  wrapping_algorithm: WrappingAlgorithm;
  domain_key_version: number;
  wrapped_private_key: Buffer;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

interface ImportRow {
  key_id: string;
  fingerprint: Buffer;
  expiration_model: ExpirationModel;
  valid_to: Date | null;
  imported_at: Date;
  material_description: string | null;
}

/** The KeyImportStore port on PostgreSQL: a token is used once (compare-and-set on `used_at`). */
export class PostgresKeyImportStore implements KeyImportStore {
  readonly #pg: PostgresDatabase;

  constructor(pg: PostgresDatabase) {
    this.#pg = pg;
  }

  async putToken(t: ImportTokenRecord): Promise<void> {
    await this.#pg.db.query(
      `INSERT INTO import_tokens (token_id, key_id, wrapping_key_spec, wrapping_algorithm, domain_key_version, wrapped_private_key, created_at, expires_at, used_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)`,
      [t.tokenId, t.keyId, t.wrappingKeySpec, t.wrappingAlgorithm, t.wrappedPrivateKey.domainKeyVersion, t.wrappedPrivateKey.wrapped, t.createdAt, t.expiresAt],
    );
  }

  async getToken(tokenId: string): Promise<ImportTokenRecord | undefined> {
    const r = (await this.#pg.db.query<TokenRow>('SELECT * FROM import_tokens WHERE token_id = $1', [tokenId])).rows[0];
    return (
      r && {
        tokenId: r.token_id,
        keyId: r.key_id,
        wrappingKeySpec: r.wrapping_key_spec,
        wrappingAlgorithm: r.wrapping_algorithm,
        wrappedPrivateKey: { domainKeyVersion: r.domain_key_version, wrapped: r.wrapped_private_key },
        createdAt: r.created_at,
        expiresAt: r.expires_at,
        usedAt: r.used_at ?? undefined,
      }
    );
  }

  async importMaterial(tokenId: string, usedAt: Date, v: StoredKeyVersion, record: KeyImportRecord): Promise<boolean> {
    return this.#pg.transactions.run(async () => {
      const q = this.#pg.db;
      // A used token's wrapping private key is of no further use: it is erased with the use.
      const used = await q.query('UPDATE import_tokens SET used_at = $1, wrapped_private_key = $2 WHERE token_id = $3 AND used_at IS NULL', [usedAt, Buffer.alloc(0), tokenId]);
      if (used.rowCount !== 1) return false;
      await q.query('DELETE FROM key_versions WHERE key_id = $1', [v.keyId]);
      await insertKeyVersion(q, v);
      await q.query(
        `INSERT INTO key_imports (key_id, fingerprint, expiration_model, valid_to, imported_at, material_description) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (key_id) DO UPDATE SET expiration_model = excluded.expiration_model, valid_to = excluded.valid_to, imported_at = excluded.imported_at,
           material_description = excluded.material_description`,
        [record.keyId, record.fingerprint, record.expirationModel, record.validTo ?? null, record.importedAt, record.description ?? null],
      );
      await q.query("UPDATE keys SET state = 'Enabled' WHERE id = $1 AND state = 'PendingImport'", [v.keyId]);
      return true;
    });
  }

  async getImport(keyId: string): Promise<KeyImportRecord | undefined> {
    const r = (await this.#pg.db.query<ImportRow>('SELECT * FROM key_imports WHERE key_id = $1', [keyId])).rows[0];
    return r && { keyId: r.key_id, fingerprint: r.fingerprint, expirationModel: r.expiration_model, validTo: r.valid_to ?? undefined, importedAt: r.imported_at, description: r.material_description ?? undefined };
  }

  async expiredMaterial(now: Date): Promise<readonly string[]> {
    const r = await this.#pg.db.query<{ key_id: string }>(
      `SELECT i.key_id FROM key_imports i JOIN keys k ON k.id = i.key_id
       WHERE i.expiration_model = 'KEY_MATERIAL_EXPIRES' AND i.valid_to IS NOT NULL AND i.valid_to <= $1
         AND k.state <> 'PendingImport' AND k.destroyed_at IS NULL
       ORDER BY i.key_id`,
      [now],
    );
    return r.rows.map((x) => x.key_id);
  }

  async deleteMaterial(keyId: string, expiredBy?: Date): Promise<boolean> {
    return this.#pg.transactions.run(async () => {
      const q = this.#pg.db;
      // With `expiredBy`, only material that is still expired: the import row is locked, so a re-import
      // committing meanwhile is either seen here (and wins) or waits for this deletion.
      if (expiredBy !== undefined) {
        const still = await q.query(
          "SELECT key_id FROM key_imports WHERE key_id = $1 AND expiration_model = 'KEY_MATERIAL_EXPIRES' AND valid_to <= $2 FOR UPDATE",
          [keyId, expiredBy],
        );
        if (still.rowCount === 0) return false;
      }
      await q.query('DELETE FROM key_versions WHERE key_id = $1', [keyId]);
      await q.query("UPDATE keys SET state = 'PendingImport' WHERE id = $1", [keyId]);
      return true;
    });
  }
}
