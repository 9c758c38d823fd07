import type { AliasRecord, Tag } from '../../core/key.js';
import type { KeyStore, Page } from '../../core/ports.js';
import type { PrincipalRefs } from '../../core/principal.js';
import type { SqliteDatabase } from './database.js';
import { DIRECT_READS, type ReadThrough } from './read-cache.js';

/** The principals a key policy names, resolved to unique ids when it was stored (ADR 0009). */
export function policyPrincipalsStatement(db: SqliteDatabase) {
  const rows = db.prepare<[string], { arn: string; principal_id: string | null }>('SELECT arn, principal_id FROM key_policy_principals WHERE key_id = ?');
  return (keyId: string): PrincipalRefs => Object.fromEntries(rows.all(keyId).map((r) => [r.arn, r.principal_id]));
}

/**
 * The key reads authorization makes on every request (a key's tags and aliases, the key policy's
 * resolved principals), with statements prepared once: preparing them per call cost more than the rest
 * of authorization together.
 */
export class SqliteKeyFacts implements Pick<KeyStore, 'listTags' | 'listAliases' | 'getPolicyPrincipals'> {
  readonly #tags;
  readonly #aliases;
  readonly #policyPrincipals;
  readonly #reads: ReadThrough;

  constructor(db: SqliteDatabase, reads: ReadThrough = DIRECT_READS) {
    this.#reads = reads;
    this.#tags = db.prepare<[string], { tag_key: string; tag_value: string }>('SELECT tag_key, tag_value FROM tags WHERE key_id = ? ORDER BY tag_key');
    this.#aliases = db.prepare<[string, string, string, number], { name: string; key_id: string; created_at: number; updated_at: number }>(
      'SELECT * FROM aliases WHERE region = ? AND key_id = ? AND name > ? ORDER BY name LIMIT ?',
    );
    this.#policyPrincipals = policyPrincipalsStatement(db);
  }

  async getPolicyPrincipals(keyId: string): Promise<PrincipalRefs> {
    return this.#reads.read('key-policy-principals', keyId, () => this.#policyPrincipals(keyId));
  }

  async listTags(keyId: string): Promise<readonly Tag[]> {
    return this.#reads.read('tags', keyId, () => this.#tags.all(keyId).map((r) => ({ key: r.tag_key, value: r.tag_value })));
  }

  /** Aliases of one key (authorization always names the key). */
  async listAliases(region: string, keyId: string | undefined, after: string | undefined, limit: number): Promise<Page<AliasRecord>> {
    if (keyId === undefined) return { items: [] };
    return this.#reads.read('aliases', `${region}/${keyId}/${after ?? ''}/${limit}`, () => this.#aliasPage(region, keyId, after, limit));
  }

  #aliasPage(region: string, keyId: string, after: string | undefined, limit: number): Page<AliasRecord> {
    const rows = this.#aliases.all(region, keyId, after ?? '', limit + 1);
    const items = rows.slice(0, limit).map((r) => ({ region, name: r.name, keyId: r.key_id, createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at) }));
    return { items, next: rows.length > limit ? items.at(-1)?.name : undefined };
  }
}
