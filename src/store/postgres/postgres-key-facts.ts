import type { AliasRecord, Tag } from '../../core/key.js';
import type { KeyStore, Page } from '../../core/ports.js';
import type { PrincipalRefs } from '../../core/principal.js';
import type { PostgresDatabase } from './database.js';
import { aliasPage, keyTags, policyPrincipals } from './postgres-key-store.js';

/**
 * The key reads authorization makes on every request (a key's tags and aliases, the key policy's
 * resolved principals), as SqliteKeyFacts: a separate port so that a node can later put a cache in front
 * of exactly these reads (issue 14: invalidated across the cluster).
 */
export class PostgresKeyFacts implements Pick<KeyStore, 'listTags' | 'listAliases' | 'getPolicyPrincipals'> {
  readonly #pg: PostgresDatabase;

  constructor(pg: PostgresDatabase) {
    this.#pg = pg;
  }

  async getPolicyPrincipals(keyId: string): Promise<PrincipalRefs> {
    return policyPrincipals(this.#pg.db, keyId);
  }

  async listTags(keyId: string): Promise<readonly Tag[]> {
    return keyTags(this.#pg.db, keyId);
  }

  /** Aliases of one key (authorization always names the key); none without a key, as SqliteKeyFacts. */
  async listAliases(region: string, keyId: string | undefined, after: string | undefined, limit: number): Promise<Page<AliasRecord>> {
    if (keyId === undefined) return { items: [] };
    return aliasPage(this.#pg.db, region, keyId, after, limit);
  }
}
