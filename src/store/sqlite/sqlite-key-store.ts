import { KmsError } from '../../core/errors.js';
import { isMultiRegionId } from '../../core/multi-region.js';
import type { AliasRecord, KeyRecord, KeySpec, KeyState, KeyUsage, Origin, StoredKeyVersion, Tag } from '../../core/key.js';
import type { RotationType } from '../../core/lifecycle.js';
import type { KeyStore, Page } from '../../core/ports.js';
import type { PrincipalRefs } from '../../core/principal.js';
import type { SqliteDatabase } from './database.js';
import { DIRECT_READS, type ReadThrough } from './read-cache.js';
import { policyPrincipalsStatement } from './sqlite-key-facts.js';

interface KeyRow {
  id: string;
  region: string;
  primary_region: string | null;
  seq: number;
  created_at: number;
  description: string;
  key_spec: KeySpec;
  key_usage: KeyUsage;
  origin: Origin;
  state: KeyState;
  primary_version: number;
  deletion_date: number | null;
  policy: string;
}

function toKey(r: KeyRow): KeyRecord {
  return {
    id: r.id,
    region: r.region,
    ...(r.primary_region !== null && { primaryRegion: r.primary_region }),
    createdAt: new Date(r.created_at),
    description: r.description,
    keySpec: r.key_spec,
    keyUsage: r.key_usage,
    origin: r.origin,
    state: r.state,
    primaryVersion: r.primary_version,
    deletionDate: r.deletion_date === null ? undefined : new Date(r.deletion_date),
    policy: r.policy,
  };
}

interface AliasRow {
  region: string;
  name: string;
  key_id: string;
  created_at: number;
  updated_at: number;
}

const toAlias = (r: AliasRow): AliasRecord => ({
  region: r.region,
  name: r.name,
  keyId: r.key_id,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

/** Inserts a key version's wrapped material, inside the caller's transaction; `rotationType` for a rotation. */
export function insertKeyVersion(db: SqliteDatabase, v: StoredKeyVersion, rotationType: RotationType | null = null): void {
  db.prepare('INSERT INTO key_versions (key_id, version, domain_key_version, wrapped_material, created_at, rotation_type) VALUES (?, ?, ?, ?, ?, ?)').run(
    v.keyId,
    v.version,
    v.domainKeyVersion,
    v.wrappedMaterial,
    v.createdAt.getTime(),
    rotationType,
  );
}

/** Gives the keys and aliases stored before regions (region '') to the home region (ADR 0022); idempotent. */
export function adoptHomeRegion(db: SqliteDatabase, home: string): void {
  db.transaction(() => {
    db.prepare("UPDATE keys SET region = ? WHERE region = ''").run(home);
    db.prepare("UPDATE aliases SET region = ? WHERE region = ''").run(home);
  }).immediate();
}

/**
 * The KeyStore port on SQLite. Row types are asserted at this boundary: the schema (database.ts) and the
 * writers here are the only producers of these rows.
 */
export class SqliteKeyStore implements KeyStore {
  readonly #db: SqliteDatabase;
  readonly #getKey;
  readonly #getVersion;
  readonly #getAlias;
  readonly #policyPrincipals;
  readonly #reads: ReadThrough;

  /** `reads`: the request read cache, for the instance the request pipeline uses (default: direct reads). */
  constructor(db: SqliteDatabase, reads: ReadThrough = DIRECT_READS) {
    this.#db = db;
    this.#reads = reads;
    // Destroyed keys stay as tombstones (key-lifecycle) but no longer exist for any operation.
    this.#getKey = db.prepare<[string], KeyRow>('SELECT * FROM keys WHERE id = ? AND destroyed_at IS NULL');
    this.#getVersion = db.prepare<[string, number], { domain_key_version: number; wrapped_material: Buffer; created_at: number }>(
      'SELECT domain_key_version, wrapped_material, created_at FROM key_versions WHERE key_id = ? AND version = ?',
    );
    this.#getAlias = db.prepare<[string, string], AliasRow>('SELECT * FROM aliases WHERE region = ? AND name = ?');
    this.#policyPrincipals = policyPrincipalsStatement(db);
  }

  async createKey(key: KeyRecord, v: StoredKeyVersion | undefined, tags: readonly Tag[]): Promise<void> {
    const db = this.#db;
    db.transaction(() => {
      const seqRow = db.prepare<[], { s: number | null }>('SELECT MAX(seq) AS s FROM keys').get();
      db.prepare(
        `INSERT INTO keys (id, region, primary_region, seq, created_at, description, key_spec, key_usage, origin, state, primary_version, deletion_date, policy)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        key.id,
        key.region,
        key.primaryRegion ?? null,
        (seqRow?.s ?? 0) + 1,
        key.createdAt.getTime(),
        key.description,
        key.keySpec,
        key.keyUsage,
        key.origin,
        key.state,
        key.primaryVersion,
        key.deletionDate?.getTime() ?? null,
        key.policy,
      );
      if (v !== undefined) {
        insertKeyVersion(db, v);
      }
      const tagInsert = db.prepare('INSERT INTO tags (key_id, tag_key, tag_value) VALUES (?, ?, ?)');
      for (const t of tags) tagInsert.run(key.id, t.key, t.value);
    }).immediate();
  }

  async getKey(keyId: string): Promise<KeyRecord | undefined> {
    return this.#reads.read('key', keyId, () => {
      const row = this.#getKey.get(keyId);
      return row && toKey(row);
    });
  }

  async listKeys(region: string, after: string | undefined, limit: number): Promise<Page<KeyRecord>> {
    const afterSeq = after === undefined ? 0 : (this.#db.prepare<[string, string], { seq: number }>('SELECT seq FROM keys WHERE id = ? AND region = ?').get(after, region)?.seq ?? -1);
    if (afterSeq < 0) throw new KmsError('InvalidMarker', 'The marker is not valid.');
    const rows = this.#db.prepare<[string, number, number], KeyRow>('SELECT * FROM keys WHERE region = ? AND seq > ? AND destroyed_at IS NULL ORDER BY seq LIMIT ?').all(region, afterSeq, limit + 1);
    const items = rows.slice(0, limit).map(toKey);
    return { items, next: rows.length > limit ? items.at(-1)?.id : undefined };
  }

  async updateKey(keyId: string, change: Partial<Pick<KeyRecord, 'description' | 'state' | 'policy'>>): Promise<void> {
    const sets: string[] = [];
    const values: (string | number)[] = [];
    if (change.description !== undefined) (sets.push('description = ?'), values.push(change.description));
    if (change.state !== undefined) (sets.push('state = ?'), values.push(change.state));
    if (change.policy !== undefined) (sets.push('policy = ?'), values.push(change.policy));
    if (sets.length === 0) return;
    this.#db.prepare(`UPDATE keys SET ${sets.join(', ')} WHERE id = ?`).run(...values, keyId);
  }

  async getPolicyPrincipals(keyId: string): Promise<PrincipalRefs> {
    return this.#reads.read('key-policy-principals', keyId, () => this.#policyPrincipals(keyId));
  }

  async putPolicyPrincipals(keyId: string, refs: PrincipalRefs): Promise<void> {
    const db = this.#db;
    const insert = db.prepare('INSERT INTO key_policy_principals (key_id, arn, principal_id) VALUES (?, ?, ?)');
    db.transaction(() => {
      db.prepare('DELETE FROM key_policy_principals WHERE key_id = ?').run(keyId);
      for (const [arn, id] of Object.entries(refs)) insert.run(keyId, arn, id);
    }).immediate();
  }

  async getKeyVersion(keyId: string, version: number): Promise<StoredKeyVersion | undefined> {
    const row = this.#getVersion.get(keyId, version);
    return (
      row && { keyId, version, domainKeyVersion: row.domain_key_version, wrappedMaterial: row.wrapped_material, createdAt: new Date(row.created_at) }
    );
  }

  async listRelatedKeys(wireId: string): Promise<readonly KeyRecord[]> {
    if (!isMultiRegionId(wireId)) return [];
    return this.#db.prepare<[string], KeyRow>("SELECT * FROM keys WHERE id LIKE ? || '/%' AND destroyed_at IS NULL ORDER BY region").all(wireId).map(toKey);
  }

  async setPrimaryRegion(wireId: string, region: string): Promise<void> {
    if (!isMultiRegionId(wireId)) return;
    this.#db.prepare("UPDATE keys SET primary_region = ? WHERE id LIKE ? || '/%'").run(region, wireId);
  }

  async copyVersions(fromKeyId: string, toKeyId: string): Promise<void> {
    this.#db
      .prepare('INSERT INTO key_versions (key_id, version, domain_key_version, wrapped_material, created_at, rotation_type) SELECT ?, version, domain_key_version, wrapped_material, created_at, rotation_type FROM key_versions WHERE key_id = ?')
      .run(toKeyId, fromKeyId);
  }

  async getAlias(region: string, name: string): Promise<AliasRecord | undefined> {
    return this.#reads.read('alias', `${region}/${name}`, () => {
      const row = this.#getAlias.get(region, name);
      return row && toAlias(row);
    });
  }

  async createAlias(alias: AliasRecord): Promise<void> {
    const r = this.#db
      .prepare('INSERT INTO aliases (region, name, key_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(region, name) DO NOTHING')
      .run(alias.region, alias.name, alias.keyId, alias.createdAt.getTime(), alias.updatedAt.getTime());
    if (r.changes === 0) throw new KmsError('AlreadyExists', `An alias with the name ${alias.name} already exists`);
  }

  async updateAlias(region: string, name: string, keyId: string, at: Date): Promise<void> {
    this.#db.prepare('UPDATE aliases SET key_id = ?, updated_at = ? WHERE region = ? AND name = ?').run(keyId, at.getTime(), region, name);
  }

  async deleteAlias(region: string, name: string): Promise<void> {
    this.#db.prepare('DELETE FROM aliases WHERE region = ? AND name = ?').run(region, name);
  }

  async listAliases(region: string, keyId: string | undefined, after: string | undefined, limit: number): Promise<Page<AliasRecord>> {
    const rows =
      keyId === undefined
        ? this.#db.prepare<[string, string, number], AliasRow>('SELECT * FROM aliases WHERE region = ? AND name > ? ORDER BY name LIMIT ?').all(region, after ?? '', limit + 1)
        : this.#db
            .prepare<[string, string, string, number], AliasRow>('SELECT * FROM aliases WHERE region = ? AND key_id = ? AND name > ? ORDER BY name LIMIT ?')
            .all(region, keyId, after ?? '', limit + 1);
    const items = rows.slice(0, limit).map(toAlias);
    return { items, next: rows.length > limit ? items.at(-1)?.name : undefined };
  }

  async listTags(keyId: string): Promise<readonly Tag[]> {
    return this.#db
      .prepare<[string], { tag_key: string; tag_value: string }>('SELECT tag_key, tag_value FROM tags WHERE key_id = ? ORDER BY tag_key')
      .all(keyId)
      .map((r) => ({ key: r.tag_key, value: r.tag_value }));
  }

  async putTags(keyId: string, tags: readonly Tag[]): Promise<void> {
    const upsert = this.#db.prepare(
      'INSERT INTO tags (key_id, tag_key, tag_value) VALUES (?, ?, ?) ON CONFLICT(key_id, tag_key) DO UPDATE SET tag_value = excluded.tag_value',
    );
    this.#db.transaction(() => {
      for (const t of tags) upsert.run(keyId, t.key, t.value);
    }).immediate();
  }

  async removeTags(keyId: string, tagKeys: readonly string[]): Promise<void> {
    const del = this.#db.prepare('DELETE FROM tags WHERE key_id = ? AND tag_key = ?');
    this.#db.transaction(() => {
      for (const k of tagKeys) del.run(keyId, k);
    }).immediate();
  }

  async listDomainKeys(): Promise<readonly { version: number; wrapped: Buffer }[]> {
    return this.#db.prepare<[], { version: number; wrapped: Buffer }>('SELECT version, wrapped FROM domain_keys ORDER BY version').all();
  }

  async addDomainKey(version: number, wrapped: Buffer): Promise<void> {
    this.#db.prepare('INSERT INTO domain_keys (version, wrapped) VALUES (?, ?)').run(version, wrapped);
  }
}
