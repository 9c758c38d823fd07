import type { StoredKeyVersion } from '../../core/key.js';
import type { ImportTokenRecord, KeyImportRecord, KeyImportStore } from '../../core/key-import.js';
import type { MemoryDatabase } from './memory-database.js';
import { insertKeyVersion } from './memory-key-store.js';
import { atomic, copy, deleteWhere, put, requireParent, requireUnique, rows, tables, type Tables } from './tables.js';

/** The KeyImportStore port in memory, with SqliteKeyImportStore's semantics (single-use tokens, erased when used). */
export class MemoryKeyImportStore implements KeyImportStore {
  readonly #db: MemoryDatabase;
  readonly #t: Tables;

  constructor(db: MemoryDatabase) {
    this.#db = db;
    this.#t = tables(db);
  }

  async putToken(t: ImportTokenRecord): Promise<void> {
    requireUnique(this.#t.importTokens.has(t.tokenId), `import token ${t.tokenId}`);
    requireParent(this.#t.keys.has(t.keyId), `key ${t.keyId}`);
    requireParent(this.#t.domainKeys.has(String(t.wrappedPrivateKey.domainKeyVersion)), `domain key ${t.wrappedPrivateKey.domainKeyVersion}`);
    put(this.#t.importTokens, t.tokenId, {
      tokenId: t.tokenId,
      keyId: t.keyId,
      wrappingKeySpec: t.wrappingKeySpec,
      wrappingAlgorithm: t.wrappingAlgorithm,
      domainKeyVersion: t.wrappedPrivateKey.domainKeyVersion,
      wrappedPrivateKey: copy(t.wrappedPrivateKey.wrapped),
      createdAt: t.createdAt.getTime(),
      expiresAt: t.expiresAt.getTime(),
      usedAt: null,
    });
  }

  async getToken(tokenId: string): Promise<ImportTokenRecord | undefined> {
    const r = this.#t.importTokens.get(tokenId);
    return (
      r && {
        tokenId: r.tokenId,
        keyId: r.keyId,
        wrappingKeySpec: r.wrappingKeySpec,
        wrappingAlgorithm: r.wrappingAlgorithm,
        wrappedPrivateKey: { domainKeyVersion: r.domainKeyVersion, wrapped: copy(r.wrappedPrivateKey) },
        createdAt: new Date(r.createdAt),
        expiresAt: new Date(r.expiresAt),
        usedAt: r.usedAt === null ? undefined : new Date(r.usedAt),
      }
    );
  }

  async importMaterial(tokenId: string, usedAt: Date, v: StoredKeyVersion, record: KeyImportRecord): Promise<boolean> {
    const t = this.#t;
    return atomic(this.#db, () => {
      const token = t.importTokens.get(tokenId);
      if (token === undefined || token.usedAt !== null) return false;
      // A used token's wrapping private key is of no further use: it is erased with the use.
      put(t.importTokens, tokenId, { ...token, usedAt: usedAt.getTime(), wrappedPrivateKey: Buffer.alloc(0) });
      deleteWhere(t.keyVersions, (r) => r.keyId === v.keyId);
      insertKeyVersion(t, v);
      requireParent(t.keys.has(record.keyId), `key ${record.keyId}`);
      const before = t.keyImports.get(record.keyId);
      // A re-import keeps the fingerprint first recorded (the material must be the same; the service checks it).
      put(t.keyImports, record.keyId, {
        keyId: record.keyId,
        fingerprint: before?.fingerprint ?? copy(record.fingerprint),
        expirationModel: record.expirationModel,
        validTo: record.validTo?.getTime() ?? null,
        importedAt: record.importedAt.getTime(),
        description: record.description ?? null,
      });
      const key = t.keys.get(v.keyId);
      if (key?.state === 'PendingImport') put(t.keys, key.id, { ...key, state: 'Enabled' });
      return true;
    });
  }

  async getImport(keyId: string): Promise<KeyImportRecord | undefined> {
    const r = this.#t.keyImports.get(keyId);
    return r && { keyId: r.keyId, fingerprint: copy(r.fingerprint), expirationModel: r.expirationModel, validTo: r.validTo === null ? undefined : new Date(r.validTo), importedAt: new Date(r.importedAt), description: r.description ?? undefined };
  }

  async expiredMaterial(now: Date): Promise<readonly string[]> {
    const t = this.#t;
    return rows(t.keyImports, (i) => {
      const k = t.keys.get(i.keyId);
      return i.expirationModel === 'KEY_MATERIAL_EXPIRES' && i.validTo !== null && i.validTo <= now.getTime() && k !== undefined && k.state !== 'PendingImport' && k.destroyedAt === null;
    }).map((i) => i.keyId);
  }

  async deleteMaterial(keyId: string, expiredBy?: Date): Promise<boolean> {
    const t = this.#t;
    return atomic(this.#db, () => {
      // With `expiredBy`, only material that is still expired at commit time: a re-import in between wins.
      if (expiredBy !== undefined) {
        const i = t.keyImports.get(keyId);
        if (i === undefined || i.expirationModel !== 'KEY_MATERIAL_EXPIRES' || i.validTo === null || i.validTo > expiredBy.getTime()) return false;
      }
      deleteWhere(t.keyVersions, (r) => r.keyId === keyId);
      const key = t.keys.get(keyId);
      if (key !== undefined) put(t.keys, keyId, { ...key, state: 'PendingImport' });
      return true;
    });
  }
}
