import type { StoredKeyVersion } from '../../core/key.js';
import type { ExpirationModel, ExpiredMaterial, ImportTokenRecord, KeyImportGeneration, KeyImportRecord, KeyImportStore, WrappingAlgorithm, WrappingKeySpec } from '../../core/key-import.js';
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
  version: number;
  fingerprint: Buffer;
  expiration_model: ExpirationModel;
  valid_to: Date | null;
  imported_at: Date;
  material_description: string | null;
  rotated_at: Date | null;
}

const recordOf = (r: ImportRow): KeyImportRecord => ({
  keyId: r.key_id,
  version: r.version,
  fingerprint: r.fingerprint,
  expirationModel: r.expiration_model,
  validTo: r.valid_to ?? undefined,
  importedAt: r.imported_at,
  description: r.material_description ?? undefined,
  rotatedAt: r.rotated_at ?? undefined,
});

/** Whether a generation's material is stored (a key_versions row for the import row `i`). */
const STORED = 'EXISTS (SELECT 1 FROM key_versions v WHERE v.key_id = i.key_id AND v.version = i.version)';

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
      // The key row is locked first: imports, deletions and rotations of one key's generations take turns.
      await q.query('SELECT id FROM keys WHERE id = $1 FOR UPDATE', [v.keyId]);
      const before = (await q.query<{ fingerprint: Buffer }>('SELECT fingerprint FROM key_imports WHERE key_id = $1 AND version = $2', [record.keyId, record.version])).rows[0];
      if (before !== undefined && !before.fingerprint.equals(record.fingerprint)) return false;
      // A used token's wrapping private key is of no further use: it is erased with the use.
      const used = await q.query('UPDATE import_tokens SET used_at = $1, wrapped_private_key = $2 WHERE token_id = $3 AND used_at IS NULL', [usedAt, Buffer.alloc(0), tokenId]);
      if (used.rowCount !== 1) return false;
      await q.query('DELETE FROM key_versions WHERE key_id = $1 AND version = $2', [v.keyId, v.version]);
      await insertKeyVersion(q, v);
      // New material pending rotation takes the place of a pending generation whose material was deleted.
      await q.query(
        `DELETE FROM key_imports i USING keys k WHERE k.id = i.key_id AND i.key_id = $1 AND i.version <> $2 AND i.version > k.primary_version AND NOT ${STORED}`,
        [record.keyId, record.version],
      );
      await q.query(
        `INSERT INTO key_imports (key_id, version, fingerprint, expiration_model, valid_to, imported_at, material_description) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (key_id, version) DO UPDATE SET expiration_model = excluded.expiration_model, valid_to = excluded.valid_to, imported_at = excluded.imported_at,
           material_description = excluded.material_description`,
        [record.keyId, record.version, record.fingerprint, record.expirationModel, record.validTo ?? null, record.importedAt, record.description ?? null],
      );
      await q.query(
        `UPDATE keys k SET state = 'Enabled' WHERE k.id = $1 AND k.state = 'PendingImport'
           AND NOT EXISTS (SELECT 1 FROM key_imports i WHERE i.key_id = k.id AND i.version <= k.primary_version AND NOT ${STORED})`,
        [v.keyId],
      );
      return true;
    });
  }

  async getImport(keyId: string, version?: number): Promise<KeyImportRecord | undefined> {
    const r =
      version === undefined
        ? (await this.#pg.db.query<ImportRow>('SELECT i.* FROM key_imports i JOIN keys k ON k.id = i.key_id AND k.primary_version = i.version WHERE i.key_id = $1', [keyId])).rows[0]
        : (await this.#pg.db.query<ImportRow>('SELECT * FROM key_imports WHERE key_id = $1 AND version = $2', [keyId, version])).rows[0];
    return r && recordOf(r);
  }

  async listImports(keyId: string): Promise<readonly KeyImportGeneration[]> {
    const r = await this.#pg.db.query<ImportRow & { imported: boolean }>(`SELECT i.*, ${STORED} AS imported FROM key_imports i WHERE i.key_id = $1 ORDER BY i.version`, [keyId]);
    return r.rows.map((x) => ({ ...recordOf(x), imported: x.imported }));
  }

  async expiredMaterial(now: Date): Promise<readonly ExpiredMaterial[]> {
    const r = await this.#pg.db.query<{ key_id: string; version: number }>(
      `SELECT i.key_id, i.version FROM key_imports i JOIN keys k ON k.id = i.key_id
       WHERE i.expiration_model = 'KEY_MATERIAL_EXPIRES' AND i.valid_to IS NOT NULL AND i.valid_to <= $1
         AND k.destroyed_at IS NULL AND ${STORED}
       ORDER BY i.key_id, i.version`,
      [now],
    );
    return r.rows.map((x) => ({ keyId: x.key_id, version: x.version }));
  }

  async deleteMaterial(keyId: string, version: number, expiredBy?: Date): Promise<boolean> {
    return this.#pg.transactions.run(async () => {
      const q = this.#pg.db;
      await q.query('SELECT id FROM keys WHERE id = $1 FOR UPDATE', [keyId]);
      // With `expiredBy`, only material that is still expired: the key row is locked, so a re-import
      // committing meanwhile is either seen here (and wins) or waits for this deletion.
      if (expiredBy !== undefined) {
        const still = await q.query(
          "SELECT key_id FROM key_imports WHERE key_id = $1 AND version = $2 AND expiration_model = 'KEY_MATERIAL_EXPIRES' AND valid_to <= $3",
          [keyId, version, expiredBy],
        );
        if (still.rowCount === 0) return false;
      }
      await q.query('DELETE FROM key_versions WHERE key_id = $1 AND version = $2', [keyId, version]);
      await q.query("UPDATE keys SET state = 'PendingImport' WHERE id = $1 AND primary_version >= $2", [keyId, version]);
      return true;
    });
  }

  async rotateToImported(keyId: string, version: number, expectedPrimary: number, rotatedAt: Date): Promise<boolean> {
    return this.#pg.transactions.run(async () => {
      const q = this.#pg.db;
      const moved = await q.query(
        `UPDATE keys k SET primary_version = $2 WHERE k.id = $1 AND k.primary_version = $3 AND k.destroyed_at IS NULL AND $2 > $3
           AND EXISTS (SELECT 1 FROM key_imports i WHERE i.key_id = k.id AND i.version = $2 AND ${STORED})`,
        [keyId, version, expectedPrimary],
      );
      if (moved.rowCount !== 1) return false;
      await q.query('UPDATE key_imports SET rotated_at = $3 WHERE key_id = $1 AND version = $2', [keyId, version, rotatedAt]);
      return true;
    });
  }
}
