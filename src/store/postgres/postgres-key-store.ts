import { KmsError } from '../../core/errors.js';
import { isMultiRegionId } from '../../core/multi-region.js';
import type { AliasRecord, KeyRecord, KeySpec, KeyState, KeyUsage, Origin, StoredKeyVersion, Tag } from '../../core/key.js';
import type { RotationType } from '../../core/lifecycle.js';
import type { KeyStore, Page } from '../../core/ports.js';
import type { PrincipalRefs } from '../../core/principal.js';
import type { PostgresDatabase } from './database.js';
import type { Queryable } from './transactions.js';

interface KeyRow {
  id: string;
  region: string;
  primary_region: string | null;
  created_at: Date;
  description: string;
  key_spec: KeySpec;
  key_usage: KeyUsage;
  origin: Origin;
  state: KeyState;
  primary_version: number;
  deletion_date: Date | null;
  policy: string;
}

const KEY_COLUMNS = 'id, region, primary_region, created_at, description, key_spec, key_usage, origin, state, primary_version, deletion_date, policy';

const toKey = (r: KeyRow): KeyRecord => ({
  id: r.id,
  region: r.region,
  ...(r.primary_region !== null && { primaryRegion: r.primary_region }),
  createdAt: r.created_at,
  description: r.description,
  keySpec: r.key_spec,
  keyUsage: r.key_usage,
  origin: r.origin,
  state: r.state,
  primaryVersion: r.primary_version,
  deletionDate: r.deletion_date ?? undefined,
  policy: r.policy,
});

interface AliasRow {
  region: string;
  name: string;
  key_id: string;
  created_at: Date;
  updated_at: Date;
}

const toAlias = (r: AliasRow): AliasRecord => ({ region: r.region, name: r.name, keyId: r.key_id, createdAt: r.created_at, updatedAt: r.updated_at });

/** Inserts a key version's wrapped material on `q` (the caller's transaction); `rotationType` for a rotation. */
export async function insertKeyVersion(q: Queryable, v: StoredKeyVersion, rotationType: RotationType | null = null): Promise<void> {
  await q.query('INSERT INTO key_versions (key_id, version, domain_key_version, wrapped_material, created_at, rotation_type) VALUES ($1, $2, $3, $4, $5, $6)', [
    v.keyId,
    v.version,
    v.domainKeyVersion,
    v.wrappedMaterial,
    v.createdAt,
    rotationType,
  ]);
}

/** A key's tags ordered by tag key (byte order). */
export async function keyTags(q: Queryable, keyId: string): Promise<readonly Tag[]> {
  const r = await q.query<{ tag_key: string; tag_value: string }>('SELECT tag_key, tag_value FROM tags WHERE key_id = $1 ORDER BY tag_key', [keyId]);
  return r.rows.map((t) => ({ key: t.tag_key, value: t.tag_value }));
}

/** A page of a region's aliases ordered by name after `after`, of one key or of all. */
export async function aliasPage(q: Queryable, region: string, keyId: string | undefined, after: string | undefined, limit: number): Promise<Page<AliasRecord>> {
  const r =
    keyId === undefined
      ? await q.query<AliasRow>('SELECT * FROM aliases WHERE region = $1 AND name > $2 ORDER BY name LIMIT $3', [region, after ?? '', limit + 1])
      : await q.query<AliasRow>('SELECT * FROM aliases WHERE region = $1 AND key_id = $2 AND name > $3 ORDER BY name LIMIT $4', [region, keyId, after ?? '', limit + 1]);
  const items = r.rows.slice(0, limit).map(toAlias);
  return { items, next: r.rows.length > limit ? items.at(-1)?.name : undefined };
}

/** The principals a key policy names, resolved to unique ids when it was stored (ADR 0009). */
export async function policyPrincipals(q: Queryable, keyId: string): Promise<PrincipalRefs> {
  const r = await q.query<{ arn: string; principal_id: string | null }>('SELECT arn, principal_id FROM key_policy_principals WHERE key_id = $1 ORDER BY arn', [keyId]);
  return Object.fromEntries(r.rows.map((p) => [p.arn, p.principal_id]));
}

/** Gives the keys and aliases stored before regions (region '') to the home region (ADR 0022); idempotent. */
export async function adoptHomeRegion(pg: PostgresDatabase, home: string): Promise<void> {
  await pg.transactions.run(async () => {
    await pg.db.query("UPDATE keys SET region = $1 WHERE region = ''", [home]);
    await pg.db.query("UPDATE aliases SET region = $1 WHERE region = ''", [home]);
  });
}

/** The KeyStore port on PostgreSQL, with SqliteKeyStore's semantics (destroyed keys are tombstones no read finds). */
export class PostgresKeyStore implements KeyStore {
  readonly #pg: PostgresDatabase;

  constructor(pg: PostgresDatabase) {
    this.#pg = pg;
  }

  async createKey(key: KeyRecord, v: StoredKeyVersion | undefined, tags: readonly Tag[]): Promise<void> {
    await this.#pg.transactions.run(async () => {
      const q = this.#pg.db;
      await q.query(
        `INSERT INTO keys (id, region, primary_region, created_at, description, key_spec, key_usage, origin, state, primary_version, deletion_date, policy)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [key.id, key.region, key.primaryRegion ?? null, key.createdAt, key.description, key.keySpec, key.keyUsage, key.origin, key.state, key.primaryVersion, key.deletionDate ?? null, key.policy],
      );
      if (v !== undefined) await insertKeyVersion(q, v);
      for (const t of tags) await q.query('INSERT INTO tags (key_id, tag_key, tag_value) VALUES ($1, $2, $3)', [key.id, t.key, t.value]);
    });
  }

  async getKey(keyId: string): Promise<KeyRecord | undefined> {
    const r = await this.#pg.db.query<KeyRow>(`SELECT ${KEY_COLUMNS} FROM keys WHERE id = $1 AND destroyed_at IS NULL`, [keyId]);
    const row = r.rows[0];
    return row && toKey(row);
  }

  async listKeys(region: string, after: string | undefined, limit: number): Promise<Page<KeyRecord>> {
    // One statement: the marker's seq and the page come from one snapshot.
    const r = await this.#pg.db.query<KeyRow & { marker_ok: boolean }>(
      `WITH marker AS (SELECT CASE WHEN $1::text IS NULL THEN 0 ELSE (SELECT seq FROM keys WHERE id = $1 AND region = $3) END AS seq)
       SELECT m.seq IS NOT NULL AS marker_ok, k.* FROM marker m
       LEFT JOIN LATERAL (SELECT ${KEY_COLUMNS} FROM keys WHERE region = $3 AND seq > m.seq AND destroyed_at IS NULL ORDER BY seq LIMIT $2) k ON true`,
      [after ?? null, limit + 1, region],
    );
    if (r.rows[0]?.marker_ok !== true) throw new KmsError('InvalidMarker', 'The marker is not valid.');
    const rows = r.rows.filter((row) => row.id !== null);
    const items = rows.slice(0, limit).map(toKey);
    return { items, next: rows.length > limit ? items.at(-1)?.id : undefined };
  }

  async updateKey(keyId: string, change: Partial<Pick<KeyRecord, 'description' | 'state' | 'policy'>>): Promise<void> {
    const sets: string[] = [];
    const values: string[] = [];
    // Column names come from this fixed list, values are parameters.
    for (const [column, value] of [['description', change.description], ['state', change.state], ['policy', change.policy]] as const) {
      if (value === undefined) continue;
      values.push(value);
      sets.push(`${column} = $${values.length}`);
    }
    if (sets.length === 0) return;
    await this.#pg.db.query(`UPDATE keys SET ${sets.join(', ')} WHERE id = $${values.length + 1}`, [...values, keyId]);
  }

  async getPolicyPrincipals(keyId: string): Promise<PrincipalRefs> {
    return policyPrincipals(this.#pg.db, keyId);
  }

  async putPolicyPrincipals(keyId: string, refs: PrincipalRefs): Promise<void> {
    await this.#pg.transactions.run(async () => {
      const q = this.#pg.db;
      await q.query('DELETE FROM key_policy_principals WHERE key_id = $1', [keyId]);
      for (const [arn, id] of Object.entries(refs)) await q.query('INSERT INTO key_policy_principals (key_id, arn, principal_id) VALUES ($1, $2, $3)', [keyId, arn, id]);
    });
  }

  async getKeyVersion(keyId: string, version: number): Promise<StoredKeyVersion | undefined> {
    const r = await this.#pg.db.query<{ domain_key_version: number; wrapped_material: Buffer; created_at: Date }>(
      'SELECT domain_key_version, wrapped_material, created_at FROM key_versions WHERE key_id = $1 AND version = $2',
      [keyId, version],
    );
    const row = r.rows[0];
    return row && { keyId, version, domainKeyVersion: row.domain_key_version, wrappedMaterial: row.wrapped_material, createdAt: row.created_at };
  }

  async listRelatedKeys(wireId: string): Promise<readonly KeyRecord[]> {
    if (!isMultiRegionId(wireId)) return [];
    const r = await this.#pg.db.query<KeyRow>(`SELECT ${KEY_COLUMNS} FROM keys WHERE id LIKE $1 || '/%' AND destroyed_at IS NULL ORDER BY region`, [wireId]);
    return r.rows.map(toKey);
  }

  async setPrimaryRegion(wireId: string, region: string): Promise<void> {
    if (!isMultiRegionId(wireId)) return;
    await this.#pg.db.query("UPDATE keys SET primary_region = $1 WHERE id LIKE $2 || '/%'", [region, wireId]);
  }

  async copyVersions(fromKeyId: string, toKeyId: string): Promise<void> {
    await this.#pg.db.query(
      'INSERT INTO key_versions (key_id, version, domain_key_version, wrapped_material, created_at, rotation_type) SELECT $1, version, domain_key_version, wrapped_material, created_at, rotation_type FROM key_versions WHERE key_id = $2',
      [toKeyId, fromKeyId],
    );
  }

  async getAlias(region: string, name: string): Promise<AliasRecord | undefined> {
    const row = (await this.#pg.db.query<AliasRow>('SELECT * FROM aliases WHERE region = $1 AND name = $2', [region, name])).rows[0];
    return row && toAlias(row);
  }

  async createAlias(alias: AliasRecord): Promise<void> {
    // ON CONFLICT DO NOTHING instead of catching 23505: inside a unit of work an error would abort the transaction.
    const r = await this.#pg.db.query('INSERT INTO aliases (region, name, key_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (region, name) DO NOTHING', [
      alias.region,
      alias.name,
      alias.keyId,
      alias.createdAt,
      alias.updatedAt,
    ]);
    if (r.rowCount === 0) throw new KmsError('AlreadyExists', `An alias with the name ${alias.name} already exists`);
  }

  async updateAlias(region: string, name: string, keyId: string, at: Date): Promise<void> {
    await this.#pg.db.query('UPDATE aliases SET key_id = $1, updated_at = $2 WHERE region = $3 AND name = $4', [keyId, at, region, name]);
  }

  async deleteAlias(region: string, name: string): Promise<void> {
    await this.#pg.db.query('DELETE FROM aliases WHERE region = $1 AND name = $2', [region, name]);
  }

  async listAliases(region: string, keyId: string | undefined, after: string | undefined, limit: number): Promise<Page<AliasRecord>> {
    return aliasPage(this.#pg.db, region, keyId, after, limit);
  }

  async listTags(keyId: string): Promise<readonly Tag[]> {
    return keyTags(this.#pg.db, keyId);
  }

  async putTags(keyId: string, tags: readonly Tag[]): Promise<void> {
    await this.#pg.transactions.run(async () => {
      for (const t of tags) {
        await this.#pg.db.query(
          'INSERT INTO tags (key_id, tag_key, tag_value) VALUES ($1, $2, $3) ON CONFLICT (key_id, tag_key) DO UPDATE SET tag_value = excluded.tag_value',
          [keyId, t.key, t.value],
        );
      }
    });
  }

  async removeTags(keyId: string, tagKeys: readonly string[]): Promise<void> {
    await this.#pg.db.query('DELETE FROM tags WHERE key_id = $1 AND tag_key = ANY($2::text[])', [keyId, [...tagKeys]]);
  }

  async listDomainKeys(): Promise<readonly { version: number; wrapped: Buffer }[]> {
    return (await this.#pg.db.query<{ version: number; wrapped: Buffer }>('SELECT version, wrapped FROM domain_keys ORDER BY version')).rows;
  }

  async addDomainKey(version: number, wrapped: Buffer): Promise<void> {
    await this.#pg.db.query('INSERT INTO domain_keys (version, wrapped) VALUES ($1, $2)', [version, wrapped]);
  }
}
