import type { RewrapStore, WrappedRow, WrappedSecret } from '../../core/ports.js';
import type { MemoryDatabase } from './memory-database.js';
import { copy, pk, put, rows, tables, type Tables } from './tables.js';

/** One table holding secrets wrapped under a domain key: how to see its rows as WrappedRows and rewrap one. */
interface Wrapped {
  readonly kind: WrappedRow['kind'];
  /** The live rows (a used import token holds no secret any more). */
  stale(t: Tables, current: number): WrappedRow[];
  /** Replaces the wrapping of the row `row` names if it is still as read; false otherwise. */
  replace(t: Tables, row: WrappedRow, next: WrappedSecret): boolean;
}

const same = (row: WrappedRow, domainKeyVersion: number, wrapped: Buffer): boolean => row.domainKeyVersion === domainKeyVersion && row.wrapped.equals(wrapped);

/**
 * Every table that holds a secret wrapped under a domain key, in SqliteRewrapStore's order. A table added
 * to the memory store that holds such a secret must be added here too.
 */
const TABLES: readonly Wrapped[] = [
  {
    kind: 'key-material',
    stale: (t, current) =>
      rows(t.keyVersions, (r) => r.domainKeyVersion !== current).map((r) => ({ kind: 'key-material', id: r.keyId, version: r.version, keyId: '', domainKeyVersion: r.domainKeyVersion, wrapped: copy(r.wrappedMaterial) })),
    replace: (t, row, next) => {
      const id = pk(row.id, row.version);
      const r = t.keyVersions.get(id);
      if (r === undefined || !same(row, r.domainKeyVersion, r.wrappedMaterial)) return false;
      put(t.keyVersions, id, { ...r, domainKeyVersion: next.domainKeyVersion, wrappedMaterial: copy(next.wrapped) });
      return true;
    },
  },
  {
    kind: 'access-key',
    stale: (t, current) =>
      rows(t.accessKeys, (r) => r.domainKeyVersion !== current).map((r) => ({ kind: 'access-key', id: r.accessKeyId, version: 0, keyId: '', domainKeyVersion: r.domainKeyVersion, wrapped: copy(r.wrappedSecret) })),
    replace: (t, row, next) => {
      const r = t.accessKeys.get(row.id);
      if (r === undefined || !same(row, r.domainKeyVersion, r.wrappedSecret)) return false;
      put(t.accessKeys, row.id, { ...r, domainKeyVersion: next.domainKeyVersion, wrappedSecret: copy(next.wrapped) });
      return true;
    },
  },
  {
    kind: 'import-token',
    stale: (t, current) =>
      rows(t.importTokens, (r) => r.domainKeyVersion !== current && r.usedAt === null && r.wrappedPrivateKey.length > 0).map((r) => ({
        kind: 'import-token',
        id: r.tokenId,
        version: 0,
        keyId: r.keyId,
        domainKeyVersion: r.domainKeyVersion,
        wrapped: copy(r.wrappedPrivateKey),
      })),
    replace: (t, row, next) => {
      const r = t.importTokens.get(row.id);
      if (r === undefined || !same(row, r.domainKeyVersion, r.wrappedPrivateKey)) return false;
      put(t.importTokens, row.id, { ...r, domainKeyVersion: next.domainKeyVersion, wrappedPrivateKey: copy(next.wrapped) });
      return true;
    },
  },
  {
    kind: 'audit-signing-key',
    stale: (t, current) =>
      [...t.auditSigningKeys].filter(([, r]) => r.domainKeyVersion !== current).map(([id, r]) => ({ kind: 'audit-signing-key', id, version: 0, keyId: '', domainKeyVersion: r.domainKeyVersion, wrapped: copy(r.wrapped) })),
    replace: (t, row, next) => {
      const r = t.auditSigningKeys.get(row.id);
      if (r === undefined || !same(row, r.domainKeyVersion, r.wrapped)) return false;
      put(t.auditSigningKeys, row.id, { ...r, domainKeyVersion: next.domainKeyVersion, wrapped: copy(next.wrapped) });
      return true;
    },
  },
  {
    kind: 'mfa-device',
    stale: (t, current) =>
      rows(t.mfaDevices, (r) => r.domainKeyVersion !== current).map((r) => ({ kind: 'mfa-device', id: r.principalId, version: 0, keyId: '', domainKeyVersion: r.domainKeyVersion, wrapped: copy(r.wrappedSecret) })),
    replace: (t, row, next) => {
      const r = t.mfaDevices.get(row.id);
      if (r === undefined || !same(row, r.domainKeyVersion, r.wrappedSecret)) return false;
      put(t.mfaDevices, row.id, { ...r, domainKeyVersion: next.domainKeyVersion, wrappedSecret: copy(next.wrapped) });
      return true;
    },
  },
  {
    kind: 'custom-key-store',
    stale: (t, current) =>
      rows(t.customKeyStores, (r) => r.domainKeyVersion !== current).map((r) => ({ kind: 'custom-key-store', id: r.id, version: 0, keyId: '', domainKeyVersion: r.domainKeyVersion, wrapped: copy(r.wrappedSecret) })),
    replace: (t, row, next) => {
      const r = t.customKeyStores.get(row.id);
      if (r === undefined || !same(row, r.domainKeyVersion, r.wrappedSecret)) return false;
      put(t.customKeyStores, row.id, { ...r, domainKeyVersion: next.domainKeyVersion, wrappedSecret: copy(next.wrapped) });
      return true;
    },
  },
];

/** The RewrapStore port in memory. */
export class MemoryRewrapStore implements RewrapStore {
  readonly #t: Tables;

  constructor(db: MemoryDatabase) {
    this.#t = tables(db);
  }

  async listStale(current: number, limit: number): Promise<readonly WrappedRow[]> {
    return TABLES.flatMap((w) => w.stale(this.#t, current)).slice(0, Math.max(0, limit));
  }

  async countStale(current: number): Promise<number> {
    return TABLES.reduce((n, w) => n + w.stale(this.#t, current).length, 0);
  }

  async replaceWrapping(row: WrappedRow, next: WrappedSecret): Promise<boolean> {
    return TABLES.find((w) => w.kind === row.kind)?.replace(this.#t, row, next) ?? false;
  }
}
