import { KmsError } from '../../core/errors.js';
import { isMultiRegionId } from '../../core/multi-region.js';
import type { AliasRecord, KeyRecord, StoredKeyVersion, Tag } from '../../core/key.js';
import type { RotationType } from '../../core/lifecycle.js';
import type { KeyStore, Page } from '../../core/ports.js';
import type { PrincipalRefs } from '../../core/principal.js';
import type { MemoryDatabase } from './memory-database.js';
import { atomic, byBinary, copy, deleteWhere, pk, put, requireParent, requireUnique, rows, tables, type AliasRow, type KeyRow, type Tables } from './tables.js';

export const toKey = (r: KeyRow): KeyRecord => ({
  id: r.id,
  region: r.region,
  ...(r.primaryRegion !== null && { primaryRegion: r.primaryRegion }),
  createdAt: new Date(r.createdAt),
  description: r.description,
  keySpec: r.keySpec,
  keyUsage: r.keyUsage,
  origin: r.origin,
  state: r.state,
  primaryVersion: r.primaryVersion,
  deletionDate: r.deletionDate === null ? undefined : new Date(r.deletionDate),
  policy: r.policy,
});

export const toAlias = (r: AliasRow): AliasRecord => ({ region: r.region, name: r.name, keyId: r.keyId, createdAt: new Date(r.createdAt), updatedAt: new Date(r.updatedAt) });

/** Inserts a key version (the `key_versions` row), as `insertKeyVersion` does on SQLite. */
export function insertKeyVersion(t: Tables, v: StoredKeyVersion, rotationType: RotationType | null = null): void {
  requireParent(t.keys.has(v.keyId), `key ${v.keyId}`);
  requireParent(t.domainKeys.has(String(v.domainKeyVersion)), `domain key ${v.domainKeyVersion}`);
  const id = pk(v.keyId, v.version);
  requireUnique(t.keyVersions.has(id), `key version ${v.keyId}/${v.version}`);
  put(t.keyVersions, id, { keyId: v.keyId, version: v.version, domainKeyVersion: v.domainKeyVersion, wrappedMaterial: copy(v.wrappedMaterial), createdAt: v.createdAt.getTime(), rotationType });
}

/** The key policy's resolved principals, `{}` when none (shared with MemoryKeyFacts). */
export function policyPrincipals(t: Tables, keyId: string): PrincipalRefs {
  const refs = rows(t.policyPrincipals, (r) => r.keyId === keyId).sort((a, b) => byBinary(a.arn, b.arn));
  return Object.fromEntries(refs.map((r) => [r.arn, r.principalId]));
}

/** A key's tags ordered by tag key (shared with MemoryKeyFacts). */
export function keyTags(t: Tables, keyId: string): readonly Tag[] {
  return rows(t.tags, (r) => r.owner === keyId)
    .sort((a, b) => byBinary(a.key, b.key))
    .map((r) => ({ key: r.key, value: r.value }));
}

/** A page of a region's aliases ordered by name, after the name `after` (shared with MemoryKeyFacts). */
export function aliasPage(t: Tables, region: string, keyId: string | undefined, after: string | undefined, limit: number): Page<AliasRecord> {
  const from = after ?? '';
  const found = rows(t.aliases, (r) => r.region === region && (keyId === undefined || r.keyId === keyId) && byBinary(r.name, from) > 0).sort((a, b) => byBinary(a.name, b.name));
  const items = found.slice(0, limit).map(toAlias);
  return { items, next: found.length > limit ? items.at(-1)?.name : undefined };
}

/** The KeyStore port in memory, with SqliteKeyStore's semantics (destroyed keys are tombstones no read finds). */
export class MemoryKeyStore implements KeyStore {
  readonly #db: MemoryDatabase;
  readonly #t: Tables;

  constructor(db: MemoryDatabase) {
    this.#db = db;
    this.#t = tables(db);
  }

  async createKey(key: KeyRecord, v: StoredKeyVersion | undefined, tags: readonly Tag[]): Promise<void> {
    const t = this.#t;
    atomic(this.#db, () => {
      requireUnique(t.keys.has(key.id), `key ${key.id}`);
      const seq = Math.max(0, ...rows(t.keys).map((r) => r.seq)) + 1;
      put(t.keys, key.id, {
        id: key.id,
        region: key.region,
        primaryRegion: key.primaryRegion ?? null,
        seq,
        createdAt: key.createdAt.getTime(),
        description: key.description,
        keySpec: key.keySpec,
        keyUsage: key.keyUsage,
        origin: key.origin,
        state: key.state,
        primaryVersion: key.primaryVersion,
        deletionDate: key.deletionDate?.getTime() ?? null,
        policy: key.policy,
        destroyedAt: null,
      });
      if (v !== undefined) insertKeyVersion(t, v);
      for (const tag of tags) {
        requireUnique(t.tags.has(pk(key.id, tag.key)), `tag ${tag.key}`);
        put(t.tags, pk(key.id, tag.key), { owner: key.id, key: tag.key, value: tag.value });
      }
    });
  }

  async getKey(keyId: string): Promise<KeyRecord | undefined> {
    const r = this.#t.keys.get(keyId);
    return r === undefined || r.destroyedAt !== null ? undefined : toKey(r);
  }

  async listKeys(region: string, after: string | undefined, limit: number): Promise<Page<KeyRecord>> {
    // The marker is a key id of the region; a destroyed key's tombstone still marks its place.
    const marker = after === undefined ? undefined : this.#t.keys.get(after);
    const afterSeq = after === undefined ? 0 : marker?.region === region ? marker.seq : -1;
    if (afterSeq < 0) throw new KmsError('InvalidMarker', 'The marker is not valid.');
    const found = rows(this.#t.keys, (r) => r.region === region && r.seq > afterSeq && r.destroyedAt === null).sort((a, b) => a.seq - b.seq);
    const items = found.slice(0, limit).map(toKey);
    return { items, next: found.length > limit ? items.at(-1)?.id : undefined };
  }

  async updateKey(keyId: string, change: Partial<Pick<KeyRecord, 'description' | 'state' | 'policy'>>): Promise<void> {
    const r = this.#t.keys.get(keyId);
    if (r === undefined) return;
    put(this.#t.keys, keyId, {
      ...r,
      description: change.description ?? r.description,
      state: change.state ?? r.state,
      policy: change.policy ?? r.policy,
    });
  }

  async getPolicyPrincipals(keyId: string): Promise<PrincipalRefs> {
    return policyPrincipals(this.#t, keyId);
  }

  async putPolicyPrincipals(keyId: string, refs: PrincipalRefs): Promise<void> {
    const t = this.#t;
    atomic(this.#db, () => {
      deleteWhere(t.policyPrincipals, (r) => r.keyId === keyId);
      for (const [arn, principalId] of Object.entries(refs)) {
        requireParent(t.keys.has(keyId), `key ${keyId}`);
        put(t.policyPrincipals, pk(keyId, arn), { keyId, arn, principalId });
      }
    });
  }

  async getKeyVersion(keyId: string, version: number): Promise<StoredKeyVersion | undefined> {
    const r = this.#t.keyVersions.get(pk(keyId, version));
    return r && { keyId, version, domainKeyVersion: r.domainKeyVersion, wrappedMaterial: copy(r.wrappedMaterial), createdAt: new Date(r.createdAt) };
  }

  async listRelatedKeys(wireId: string): Promise<readonly KeyRecord[]> {
    if (!isMultiRegionId(wireId)) return [];
    return rows(this.#t.keys, (r) => r.id.startsWith(`${wireId}/`) && r.destroyedAt === null)
      .sort((a, b) => byBinary(a.region, b.region))
      .map(toKey);
  }

  async setPrimaryRegion(wireId: string, region: string): Promise<void> {
    if (!isMultiRegionId(wireId)) return;
    for (const r of rows(this.#t.keys, (k) => k.id.startsWith(`${wireId}/`))) put(this.#t.keys, r.id, { ...r, primaryRegion: region });
  }

  async copyVersions(fromKeyId: string, toKeyId: string): Promise<void> {
    const t = this.#t;
    atomic(this.#db, () => {
      for (const v of rows(t.keyVersions, (r) => r.keyId === fromKeyId)) {
        requireParent(t.keys.has(toKeyId), `key ${toKeyId}`);
        put(t.keyVersions, pk(toKeyId, v.version), { ...v, keyId: toKeyId, wrappedMaterial: copy(v.wrappedMaterial) });
      }
    });
  }

  async getAlias(region: string, name: string): Promise<AliasRecord | undefined> {
    const r = this.#t.aliases.get(pk(region, name));
    return r && toAlias(r);
  }

  async createAlias(alias: AliasRecord): Promise<void> {
    const id = pk(alias.region, alias.name);
    if (this.#t.aliases.has(id)) throw new KmsError('AlreadyExists', `An alias with the name ${alias.name} already exists`);
    requireParent(this.#t.keys.has(alias.keyId), `key ${alias.keyId}`);
    put(this.#t.aliases, id, { region: alias.region, name: alias.name, keyId: alias.keyId, createdAt: alias.createdAt.getTime(), updatedAt: alias.updatedAt.getTime() });
  }

  async updateAlias(region: string, name: string, keyId: string, at: Date): Promise<void> {
    const r = this.#t.aliases.get(pk(region, name));
    if (r === undefined) return;
    requireParent(this.#t.keys.has(keyId), `key ${keyId}`);
    put(this.#t.aliases, pk(region, name), { ...r, keyId, updatedAt: at.getTime() });
  }

  async deleteAlias(region: string, name: string): Promise<void> {
    this.#t.aliases.delete(pk(region, name));
  }

  async listAliases(region: string, keyId: string | undefined, after: string | undefined, limit: number): Promise<Page<AliasRecord>> {
    return aliasPage(this.#t, region, keyId, after, limit);
  }

  async listTags(keyId: string): Promise<readonly Tag[]> {
    return keyTags(this.#t, keyId);
  }

  async putTags(keyId: string, tags: readonly Tag[]): Promise<void> {
    const t = this.#t;
    atomic(this.#db, () => {
      for (const tag of tags) {
        requireParent(t.keys.has(keyId), `key ${keyId}`);
        put(t.tags, pk(keyId, tag.key), { owner: keyId, key: tag.key, value: tag.value });
      }
    });
  }

  async removeTags(keyId: string, tagKeys: readonly string[]): Promise<void> {
    for (const k of tagKeys) this.#t.tags.delete(pk(keyId, k));
  }

  async listDomainKeys(): Promise<readonly { version: number; wrapped: Buffer }[]> {
    return rows(this.#t.domainKeys)
      .sort((a, b) => a.version - b.version)
      .map((r) => ({ version: r.version, wrapped: copy(r.wrapped) }));
  }

  async addDomainKey(version: number, wrapped: Buffer): Promise<void> {
    requireUnique(this.#t.domainKeys.has(String(version)), `domain key ${version}`);
    put(this.#t.domainKeys, String(version), { version, wrapped: copy(wrapped) });
  }
}

/** The key reads of authorization (SqliteKeyFacts' port): tags, one key's aliases, the policy's principals. */
export class MemoryKeyFacts implements Pick<KeyStore, 'listTags' | 'listAliases' | 'getPolicyPrincipals'> {
  readonly #t: Tables;

  constructor(db: MemoryDatabase) {
    this.#t = tables(db);
  }

  async getPolicyPrincipals(keyId: string): Promise<PrincipalRefs> {
    return policyPrincipals(this.#t, keyId);
  }

  async listTags(keyId: string): Promise<readonly Tag[]> {
    return keyTags(this.#t, keyId);
  }

  /** Aliases of one key; no key, no aliases (authorization always names the key), as SqliteKeyFacts. */
  async listAliases(region: string, keyId: string | undefined, after: string | undefined, limit: number): Promise<Page<AliasRecord>> {
    return keyId === undefined ? { items: [] } : aliasPage(this.#t, region, keyId, after, limit);
  }
}
