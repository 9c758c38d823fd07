import type { StoredKeyVersion } from '../../core/key.js';
import type { ExpiredMaterial, ImportTokenRecord, KeyImportGeneration, KeyImportRecord, KeyImportStore } from '../../core/key-import.js';
import type { MemoryDatabase } from './memory-database.js';
import { insertKeyVersion } from './memory-key-store.js';
import { atomic, copy, deleteWhere, pk, put, requireParent, requireUnique, rows, tables, type KeyImportRow, type Tables } from './tables.js';

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
      const before = t.keyImports.get(pk(record.keyId, record.version));
      if (before !== undefined && !before.fingerprint.equals(record.fingerprint)) return false;
      // A used token's wrapping private key is of no further use: it is erased with the use.
      put(t.importTokens, tokenId, { ...token, usedAt: usedAt.getTime(), wrappedPrivateKey: Buffer.alloc(0) });
      t.keyVersions.delete(pk(v.keyId, v.version));
      insertKeyVersion(t, v);
      const key = t.keys.get(v.keyId);
      requireParent(key !== undefined, `key ${record.keyId}`);
      // New material pending rotation takes the place of a pending generation whose material was deleted.
      deleteWhere(t.keyImports, (i) => i.keyId === record.keyId && i.version !== record.version && i.version > (key?.primaryVersion ?? 0) && !t.keyVersions.has(pk(i.keyId, i.version)));
      // A re-import keeps the fingerprint first recorded (the material must be the same; the service checks it).
      put(t.keyImports, pk(record.keyId, record.version), {
        keyId: record.keyId,
        version: record.version,
        fingerprint: before?.fingerprint ?? copy(record.fingerprint),
        expirationModel: record.expirationModel,
        validTo: record.validTo?.getTime() ?? null,
        importedAt: record.importedAt.getTime(),
        description: record.description ?? null,
        rotatedAt: before?.rotatedAt ?? null,
      });
      if (key?.state === 'PendingImport' && !this.#missingMaterial(key.id, key.primaryVersion)) put(t.keys, key.id, { ...key, state: 'Enabled' });
      return true;
    });
  }

  /** Whether a generation up to `primary` has a record but no stored material. */
  #missingMaterial(keyId: string, primary: number): boolean {
    return rows(this.#t.keyImports, (i) => i.keyId === keyId && i.version <= primary && !this.#t.keyVersions.has(pk(keyId, i.version))).length > 0;
  }

  async getImport(keyId: string, version?: number): Promise<KeyImportRecord | undefined> {
    const v = version ?? this.#t.keys.get(keyId)?.primaryVersion;
    const r = v === undefined ? undefined : this.#t.keyImports.get(pk(keyId, v));
    return r && recordOf(r);
  }

  async listImports(keyId: string): Promise<readonly KeyImportGeneration[]> {
    return rows(this.#t.keyImports, (i) => i.keyId === keyId)
      .sort((a, b) => a.version - b.version)
      .map((r) => ({ ...recordOf(r), imported: this.#t.keyVersions.has(pk(keyId, r.version)) }));
  }

  async expiredMaterial(now: Date): Promise<readonly ExpiredMaterial[]> {
    const t = this.#t;
    return rows(t.keyImports, (i) => {
      const k = t.keys.get(i.keyId);
      return i.expirationModel === 'KEY_MATERIAL_EXPIRES' && i.validTo !== null && i.validTo <= now.getTime() && k !== undefined && k.destroyedAt === null && t.keyVersions.has(pk(i.keyId, i.version));
    }).map((i) => ({ keyId: i.keyId, version: i.version }));
  }

  async deleteMaterial(keyId: string, version: number, expiredBy?: Date): Promise<boolean> {
    const t = this.#t;
    return atomic(this.#db, () => {
      // With `expiredBy`, only material that is still expired at commit time: a re-import in between wins.
      if (expiredBy !== undefined) {
        const i = t.keyImports.get(pk(keyId, version));
        if (i === undefined || i.expirationModel !== 'KEY_MATERIAL_EXPIRES' || i.validTo === null || i.validTo > expiredBy.getTime()) return false;
      }
      t.keyVersions.delete(pk(keyId, version));
      const key = t.keys.get(keyId);
      if (key !== undefined && version <= key.primaryVersion) put(t.keys, keyId, { ...key, state: 'PendingImport' });
      return true;
    });
  }

  async rotateToImported(keyId: string, version: number, expectedPrimary: number, rotatedAt: Date): Promise<boolean> {
    const t = this.#t;
    return atomic(this.#db, () => {
      const key = t.keys.get(keyId);
      const record = t.keyImports.get(pk(keyId, version));
      if (key === undefined || key.destroyedAt !== null || key.primaryVersion !== expectedPrimary || version <= expectedPrimary) return false;
      if (record === undefined || !t.keyVersions.has(pk(keyId, version))) return false;
      put(t.keys, keyId, { ...key, primaryVersion: version });
      put(t.keyImports, pk(keyId, version), { ...record, rotatedAt: rotatedAt.getTime() });
      return true;
    });
  }
}

function recordOf(r: KeyImportRow): KeyImportRecord {
  return {
    keyId: r.keyId,
    version: r.version,
    fingerprint: copy(r.fingerprint),
    expirationModel: r.expirationModel,
    validTo: r.validTo === null ? undefined : new Date(r.validTo),
    importedAt: new Date(r.importedAt),
    description: r.description ?? undefined,
    rotatedAt: r.rotatedAt === null ? undefined : new Date(r.rotatedAt),
  };
}
