import type { CustomKeyStoreKeyLink, CustomKeyStoreRecord, CustomKeyStoreStore } from '../../core/custom-key-stores.js';
import { parseSettings, settingsJson } from '../custom-key-store-json.js';
import type { MemoryDatabase } from './memory-database.js';
import { atomic, copy, deleteWhere, put, requireParent, requireUnique, rows, tables, type CustomKeyStoreRow, type Tables } from './tables.js';

const recordOf = (r: CustomKeyStoreRow): CustomKeyStoreRecord => ({
  id: r.id,
  region: r.region,
  name: r.name,
  createdAt: new Date(r.createdAt),
  connect: r.connect,
  ...parseSettings(r.type, r.settings),
  secret: { domainKeyVersion: r.domainKeyVersion, wrapped: copy(r.wrappedSecret) },
});

const rowOf = (r: CustomKeyStoreRecord): CustomKeyStoreRow => ({
  id: r.id,
  region: r.region,
  name: r.name,
  type: r.type,
  createdAt: r.createdAt.getTime(),
  connect: r.connect,
  settings: settingsJson(r),
  domainKeyVersion: r.secret.domainKeyVersion,
  wrappedSecret: copy(r.secret.wrapped),
});

/** The CustomKeyStoreStore port in memory, with SqliteCustomKeyStoreStore's semantics. */
export class MemoryCustomKeyStoreStore implements CustomKeyStoreStore {
  readonly #db: MemoryDatabase;
  readonly #t: Tables;

  constructor(db: MemoryDatabase) {
    this.#db = db;
    this.#t = tables(db);
  }

  #nameTaken(region: string, name: string, except: string): boolean {
    return rows(this.#t.customKeyStores, (r) => r.region === region && r.name === name && r.id !== except).length > 0;
  }

  #live(storeId: string): string[] {
    return rows(this.#t.customKeyStoreKeys, (l) => l.storeId === storeId && this.#t.keys.get(l.keyId)?.destroyedAt === null).map((l) => l.keyId);
  }

  async createStore(r: CustomKeyStoreRecord): Promise<boolean> {
    return atomic(this.#db, () => {
      if (this.#nameTaken(r.region, r.name, r.id)) return false;
      requireUnique(this.#t.customKeyStores.has(r.id), `custom key store ${r.id}`);
      put(this.#t.customKeyStores, r.id, rowOf(r));
      return true;
    });
  }

  async getStore(id: string): Promise<CustomKeyStoreRecord | undefined> {
    const r = this.#t.customKeyStores.get(id);
    return r && recordOf(r);
  }

  async findStoreByName(region: string, name: string): Promise<CustomKeyStoreRecord | undefined> {
    const r = rows(this.#t.customKeyStores, (x) => x.region === region && x.name === name)[0];
    return r && recordOf(r);
  }

  async listStores(region: string): Promise<readonly CustomKeyStoreRecord[]> {
    return (await this.listAllStores()).filter((r) => r.region === region);
  }

  async listAllStores(): Promise<readonly CustomKeyStoreRecord[]> {
    return rows(this.#t.customKeyStores)
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map(recordOf);
  }

  async updateStore(r: CustomKeyStoreRecord): Promise<boolean> {
    return atomic(this.#db, () => {
      const before = this.#t.customKeyStores.get(r.id);
      if (before === undefined || this.#nameTaken(before.region, r.name, r.id)) return false;
      put(this.#t.customKeyStores, r.id, { ...rowOf(r), region: before.region, type: before.type, createdAt: before.createdAt });
      return true;
    });
  }

  async deleteStore(id: string): Promise<boolean> {
    return atomic(this.#db, () => {
      if (!this.#t.customKeyStores.has(id) || this.#live(id).length > 0) return false;
      deleteWhere(this.#t.customKeyStoreKeys, (l) => l.storeId === id);
      return this.#t.customKeyStores.delete(id);
    });
  }

  async linkKey(l: CustomKeyStoreKeyLink): Promise<void> {
    requireParent(this.#t.keys.has(l.keyId), `key ${l.keyId}`);
    requireParent(this.#t.customKeyStores.has(l.storeId), `custom key store ${l.storeId}`);
    requireUnique(this.#t.customKeyStoreKeys.has(l.keyId), `custom key store link of ${l.keyId}`);
    put(this.#t.customKeyStoreKeys, l.keyId, { ...l });
  }

  async keyLink(keyId: string): Promise<CustomKeyStoreKeyLink | undefined> {
    const l = this.#t.customKeyStoreKeys.get(keyId);
    return l && { ...l };
  }

  async countKeys(storeId: string): Promise<number> {
    return this.#live(storeId).length;
  }

  async keyWithExternalId(storeId: string, externalKeyId: string): Promise<string | undefined> {
    return this.#live(storeId).find((k) => this.#t.customKeyStoreKeys.get(k)?.externalKeyId === externalKeyId);
  }

  async unlinkKey(keyId: string): Promise<void> {
    this.#t.customKeyStoreKeys.delete(keyId);
  }
}
