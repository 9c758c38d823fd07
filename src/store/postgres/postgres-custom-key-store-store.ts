import type { CustomKeyStoreKeyLink, CustomKeyStoreRecord, CustomKeyStoreStore } from '../../core/custom-key-stores.js';
import { parseSettings, settingsJson } from '../custom-key-store-json.js';
import type { PostgresDatabase } from './database.js';

interface StoreRow {
  id: string;
  region: string;
  name: string;
  type: string;
  created_at: Date;
  connect: boolean;
  settings: string;
  domain_key_version: number;
  wrapped_secret: Buffer;
}

const recordOf = (r: StoreRow): CustomKeyStoreRecord => ({
  id: r.id,
  region: r.region,
  name: r.name,
  createdAt: r.created_at,
  connect: r.connect,
  ...parseSettings(r.type, r.settings),
  secret: { domainKeyVersion: r.domain_key_version, wrapped: r.wrapped_secret },
});

const LIVE_LINKS = 'custom_key_store_keys l JOIN keys k ON k.id = l.key_id WHERE k.destroyed_at IS NULL';

/** The CustomKeyStoreStore port on PostgreSQL (migration 0011-custom-key-stores). */
export class PostgresCustomKeyStoreStore implements CustomKeyStoreStore {
  readonly #pg: PostgresDatabase;

  constructor(pg: PostgresDatabase) {
    this.#pg = pg;
  }

  async createStore(r: CustomKeyStoreRecord): Promise<boolean> {
    const res = await this.#pg.db.query(
      `INSERT INTO custom_key_stores (id, region, name, type, created_at, connect, settings, domain_key_version, wrapped_secret)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (region, name) DO NOTHING`,
      [r.id, r.region, r.name, r.type, r.createdAt, r.connect, settingsJson(r), r.secret.domainKeyVersion, r.secret.wrapped],
    );
    return res.rowCount === 1;
  }

  async getStore(id: string): Promise<CustomKeyStoreRecord | undefined> {
    const r = (await this.#pg.db.query<StoreRow>('SELECT * FROM custom_key_stores WHERE id = $1', [id])).rows[0];
    return r && recordOf(r);
  }

  async findStoreByName(region: string, name: string): Promise<CustomKeyStoreRecord | undefined> {
    const r = (await this.#pg.db.query<StoreRow>('SELECT * FROM custom_key_stores WHERE region = $1 AND name = $2', [region, name])).rows[0];
    return r && recordOf(r);
  }

  async listStores(region: string): Promise<readonly CustomKeyStoreRecord[]> {
    return (await this.#pg.db.query<StoreRow>('SELECT * FROM custom_key_stores WHERE region = $1 ORDER BY created_at, id', [region])).rows.map(recordOf);
  }

  async listAllStores(): Promise<readonly CustomKeyStoreRecord[]> {
    return (await this.#pg.db.query<StoreRow>('SELECT * FROM custom_key_stores ORDER BY created_at, id')).rows.map(recordOf);
  }

  async updateStore(r: CustomKeyStoreRecord): Promise<boolean> {
    const res = await this.#pg.db.query(
      `UPDATE custom_key_stores SET name = $1, connect = $2, settings = $3, domain_key_version = $4, wrapped_secret = $5 WHERE id = $6
         AND NOT EXISTS (SELECT 1 FROM custom_key_stores o WHERE o.region = custom_key_stores.region AND o.name = $1 AND o.id <> $6)`,
      [r.name, r.connect, settingsJson(r), r.secret.domainKeyVersion, r.secret.wrapped, r.id],
    );
    return res.rowCount === 1;
  }

  async deleteStore(id: string): Promise<boolean> {
    return this.#pg.transactions.run(async () => {
      const q = this.#pg.db;
      await q.query('SELECT id FROM custom_key_stores WHERE id = $1 FOR UPDATE', [id]);
      if ((await this.countKeys(id)) > 0) return false;
      await q.query('DELETE FROM custom_key_store_keys WHERE store_id = $1', [id]);
      return ((await q.query('DELETE FROM custom_key_stores WHERE id = $1', [id])).rowCount ?? 0) === 1;
    });
  }

  async linkKey(l: CustomKeyStoreKeyLink): Promise<void> {
    await this.#pg.db.query('INSERT INTO custom_key_store_keys (key_id, store_id, external_key_id) VALUES ($1, $2, $3)', [l.keyId, l.storeId, l.externalKeyId]);
  }

  async keyLink(keyId: string): Promise<CustomKeyStoreKeyLink | undefined> {
    const r = (await this.#pg.db.query<{ key_id: string; store_id: string; external_key_id: string }>('SELECT * FROM custom_key_store_keys WHERE key_id = $1', [keyId])).rows[0];
    return r && { keyId: r.key_id, storeId: r.store_id, externalKeyId: r.external_key_id };
  }

  async countKeys(storeId: string): Promise<number> {
    const r = (await this.#pg.db.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${LIVE_LINKS} AND l.store_id = $1`, [storeId])).rows[0];
    return Number(r?.n ?? 0);
  }

  async keyWithExternalId(storeId: string, externalKeyId: string): Promise<string | undefined> {
    return (await this.#pg.db.query<{ key_id: string }>(`SELECT l.key_id FROM ${LIVE_LINKS} AND l.store_id = $1 AND l.external_key_id = $2`, [storeId, externalKeyId])).rows[0]?.key_id;
  }

  async unlinkKey(keyId: string): Promise<void> {
    await this.#pg.db.query('DELETE FROM custom_key_store_keys WHERE key_id = $1', [keyId]);
  }
}
