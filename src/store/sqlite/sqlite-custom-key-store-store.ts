import type { CustomKeyStoreKeyLink, CustomKeyStoreRecord, CustomKeyStoreStore } from '../../core/custom-key-stores.js';
import { parseSettings, settingsJson } from '../custom-key-store-json.js';
import type { SqliteDatabase } from './database.js';

interface StoreRow {
  id: string;
  region: string;
  name: string;
  type: string;
  created_at: number;
  connect: number;
  settings: string;
  domain_key_version: number;
  wrapped_secret: Buffer;
}

const recordOf = (r: StoreRow): CustomKeyStoreRecord => ({
  id: r.id,
  region: r.region,
  name: r.name,
  createdAt: new Date(r.created_at),
  connect: r.connect === 1,
  ...parseSettings(r.type, r.settings),
  secret: { domainKeyVersion: r.domain_key_version, wrapped: r.wrapped_secret },
});

/** The CustomKeyStoreStore port on SQLite (migration 0017-custom-key-stores). */
export class SqliteCustomKeyStoreStore implements CustomKeyStoreStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  async createStore(r: CustomKeyStoreRecord): Promise<boolean> {
    const run = this.#db.prepare(
      `INSERT INTO custom_key_stores (id, region, name, type, created_at, connect, settings, domain_key_version, wrapped_secret)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (region, name) DO NOTHING`,
    ).run(r.id, r.region, r.name, r.type, r.createdAt.getTime(), r.connect ? 1 : 0, settingsJson(r), r.secret.domainKeyVersion, r.secret.wrapped);
    return run.changes === 1;
  }

  async getStore(id: string): Promise<CustomKeyStoreRecord | undefined> {
    const r = this.#db.prepare<[string], StoreRow>('SELECT * FROM custom_key_stores WHERE id = ?').get(id);
    return r && recordOf(r);
  }

  async findStoreByName(region: string, name: string): Promise<CustomKeyStoreRecord | undefined> {
    const r = this.#db.prepare<[string, string], StoreRow>('SELECT * FROM custom_key_stores WHERE region = ? AND name = ?').get(region, name);
    return r && recordOf(r);
  }

  async listStores(region: string): Promise<readonly CustomKeyStoreRecord[]> {
    return this.#db.prepare<[string], StoreRow>('SELECT * FROM custom_key_stores WHERE region = ? ORDER BY created_at, id').all(region).map(recordOf);
  }

  async listAllStores(): Promise<readonly CustomKeyStoreRecord[]> {
    return this.#db.prepare<[], StoreRow>('SELECT * FROM custom_key_stores ORDER BY created_at, id').all().map(recordOf);
  }

  async updateStore(r: CustomKeyStoreRecord): Promise<boolean> {
    const taken = this.#db.prepare<[string, string, string], { id: string }>('SELECT id FROM custom_key_stores WHERE region = ? AND name = ? AND id <> ?').get(r.region, r.name, r.id);
    if (taken !== undefined) return false;
    const run = this.#db
      .prepare('UPDATE custom_key_stores SET name = ?, connect = ?, settings = ?, domain_key_version = ?, wrapped_secret = ? WHERE id = ?')
      .run(r.name, r.connect ? 1 : 0, settingsJson(r), r.secret.domainKeyVersion, r.secret.wrapped, r.id);
    return run.changes === 1;
  }

  async deleteStore(id: string): Promise<boolean> {
    if ((await this.countKeys(id)) > 0) return false;
    return this.#db
      .transaction(() => {
        this.#db.prepare('DELETE FROM custom_key_store_keys WHERE store_id = ?').run(id);
        return this.#db.prepare('DELETE FROM custom_key_stores WHERE id = ?').run(id).changes === 1;
      }).immediate();
  }

  async linkKey(l: CustomKeyStoreKeyLink): Promise<void> {
    this.#db.prepare('INSERT INTO custom_key_store_keys (key_id, store_id, external_key_id) VALUES (?, ?, ?)').run(l.keyId, l.storeId, l.externalKeyId);
  }

  async keyLink(keyId: string): Promise<CustomKeyStoreKeyLink | undefined> {
    const r = this.#db.prepare<[string], { key_id: string; store_id: string; external_key_id: string }>('SELECT * FROM custom_key_store_keys WHERE key_id = ?').get(keyId);
    return r && { keyId: r.key_id, storeId: r.store_id, externalKeyId: r.external_key_id };
  }

  async countKeys(storeId: string): Promise<number> {
    return (
      this.#db
        .prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM custom_key_store_keys l JOIN keys k ON k.id = l.key_id WHERE l.store_id = ? AND k.destroyed_at IS NULL')
        .get(storeId)?.n ?? 0
    );
  }

  async keyWithExternalId(storeId: string, externalKeyId: string): Promise<string | undefined> {
    return this.#db
      .prepare<[string, string], { key_id: string }>('SELECT l.key_id FROM custom_key_store_keys l JOIN keys k ON k.id = l.key_id WHERE l.store_id = ? AND l.external_key_id = ? AND k.destroyed_at IS NULL')
      .get(storeId, externalKeyId)?.key_id;
  }

  async unlinkKey(keyId: string): Promise<void> {
    this.#db.prepare('DELETE FROM custom_key_store_keys WHERE key_id = ?').run(keyId);
  }
}
