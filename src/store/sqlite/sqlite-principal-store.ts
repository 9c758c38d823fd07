import type { Tag } from '../../core/key.js';
import type { Page, PrincipalStore, StoredPrincipalPolicy } from '../../core/ports.js';
import type { AccessKeyRecord, AccessKeyStatus, PrincipalRecord, PrincipalType } from '../../core/principal.js';
import type { SqliteDatabase } from './database.js';
import { DIRECT_READS, type ReadThrough } from './read-cache.js';

interface PrincipalRow {
  id: string;
  type: PrincipalType;
  name: string;
  arn: string;
  created_at: number;
}

interface AccessKeyRow {
  access_key_id: string;
  principal_id: string;
  status: AccessKeyStatus;
  wrapped_secret: Buffer;
  domain_key_version: number;
  created_at: number;
}

const toPrincipal = (r: PrincipalRow): PrincipalRecord => ({ id: r.id, type: r.type, name: r.name, arn: r.arn, createdAt: new Date(r.created_at) });

const toAccessKey = (r: AccessKeyRow): AccessKeyRecord => ({
  accessKeyId: r.access_key_id,
  principalId: r.principal_id,
  status: r.status,
  wrappedSecret: r.wrapped_secret,
  domainKeyVersion: r.domain_key_version,
  createdAt: new Date(r.created_at),
});

/** The PrincipalStore port on SQLite: principals, access keys, principal tags and identity policies. */
export class SqlitePrincipalStore implements PrincipalStore {
  readonly #db: SqliteDatabase;
  readonly #getAccessKey;
  readonly #getPrincipal;
  readonly #tags;
  readonly #policies;
  readonly #reads: ReadThrough;

  /** `reads`: the request read cache, for the instance the request pipeline uses (default: direct reads). */
  constructor(db: SqliteDatabase, reads: ReadThrough = DIRECT_READS) {
    this.#db = db;
    this.#reads = reads;
    this.#tags = db.prepare<[string], { tag_key: string; tag_value: string }>('SELECT tag_key, tag_value FROM principal_tags WHERE principal_id = ? ORDER BY tag_key');
    this.#policies = db.prepare<[string], { name: string; document: string; updated_at: number }>('SELECT name, document, updated_at FROM principal_policies WHERE principal_id = ? ORDER BY name');
    this.#getAccessKey = db.prepare<[string], AccessKeyRow>('SELECT * FROM access_keys WHERE access_key_id = ?');
    this.#getPrincipal = db.prepare<[string], PrincipalRow>('SELECT * FROM principals WHERE id = ?');
  }

  async getPrincipal(id: string): Promise<PrincipalRecord | undefined> {
    return this.#reads.read('principal', id, () => {
      const row = this.#getPrincipal.get(id);
      return row && toPrincipal(row);
    });
  }

  async findPrincipalByName(name: string): Promise<PrincipalRecord | undefined> {
    const row = this.#db.prepare<[string], PrincipalRow>('SELECT * FROM principals WHERE name = ?').get(name);
    return row && toPrincipal(row);
  }

  async createPrincipal(p: PrincipalRecord): Promise<void> {
    const db = this.#db;
    db.transaction(() => {
      db.prepare('INSERT INTO principals (id, type, name, arn, created_at) VALUES (?, ?, ?, ?, ?)').run(p.id, p.type, p.name, p.arn, p.createdAt.getTime());
      // References stored while no principal had this ARN name the first one created with it (ADR 0009).
      db.prepare('UPDATE key_policy_principals SET principal_id = ? WHERE arn = ? AND principal_id IS NULL').run(p.id, p.arn);
      db.prepare('UPDATE grants SET grantee_principal_id = ? WHERE grantee_principal = ? AND grantee_principal_id IS NULL').run(p.id, p.arn);
      db.prepare('UPDATE grants SET retiring_principal_id = ? WHERE retiring_principal = ? AND retiring_principal_id IS NULL').run(p.id, p.arn);
    }).immediate();
  }

  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    return this.#reads.read('access-key', accessKeyId, () => {
      const r = this.#getAccessKey.get(accessKeyId);
      return r && toAccessKey(r);
    });
  }

  async listAccessKeys(principalId: string): Promise<readonly AccessKeyRecord[]> {
    return this.#db
      .prepare<[string], AccessKeyRow>('SELECT * FROM access_keys WHERE principal_id = ? ORDER BY created_at')
      .all(principalId)
      .map(toAccessKey);
  }

  async createAccessKey(k: AccessKeyRecord): Promise<void> {
    this.#db
      .prepare('INSERT INTO access_keys (access_key_id, principal_id, status, wrapped_secret, domain_key_version, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(k.accessKeyId, k.principalId, k.status, k.wrappedSecret, k.domainKeyVersion, k.createdAt.getTime());
  }

  async listPrincipals(after: string | undefined, limit: number): Promise<Page<PrincipalRecord>> {
    const rows = this.#db
      .prepare<[string, number], PrincipalRow>('SELECT * FROM principals WHERE name > ? ORDER BY name LIMIT ?')
      .all(after ?? '', limit + 1);
    const items = rows.slice(0, limit).map(toPrincipal);
    return { items, next: rows.length > limit ? items[items.length - 1]?.name : undefined };
  }

  async deletePrincipal(id: string): Promise<void> {
    this.#db.transaction(() => {
      for (const table of ['access_keys', 'principal_tags', 'principal_policies']) this.#db.prepare(`DELETE FROM ${table} WHERE principal_id = ?`).run(id);
      this.#db.prepare('DELETE FROM principals WHERE id = ?').run(id);
    }).immediate();
  }

  async listPrincipalTags(id: string): Promise<readonly Tag[]> {
    return this.#reads.read('principal-tags', id, () => this.#tags.all(id).map((r) => ({ key: r.tag_key, value: r.tag_value })));
  }

  async putPrincipalTags(id: string, tags: readonly Tag[]): Promise<void> {
    const put = this.#db.prepare('INSERT INTO principal_tags (principal_id, tag_key, tag_value) VALUES (?, ?, ?) ON CONFLICT (principal_id, tag_key) DO UPDATE SET tag_value = excluded.tag_value');
    this.#db.transaction(() => {
      for (const t of tags) put.run(id, t.key, t.value);
    }).immediate();
  }

  async removePrincipalTags(id: string, tagKeys: readonly string[]): Promise<void> {
    const del = this.#db.prepare('DELETE FROM principal_tags WHERE principal_id = ? AND tag_key = ?');
    this.#db.transaction(() => {
      for (const k of tagKeys) del.run(id, k);
    }).immediate();
  }

  async listPrincipalPolicies(id: string): Promise<readonly StoredPrincipalPolicy[]> {
    return this.#reads.read('principal-policies', id, () => this.#policies.all(id).map((r) => ({ name: r.name, document: r.document, updatedAt: new Date(r.updated_at) })));
  }

  async putPrincipalPolicy(id: string, name: string, document: string, at: Date): Promise<void> {
    this.#db
      .prepare('INSERT INTO principal_policies (principal_id, name, document, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (principal_id, name) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at')
      .run(id, name, document, at.getTime());
  }

  async deletePrincipalPolicy(id: string, name: string): Promise<boolean> {
    return this.#db.prepare('DELETE FROM principal_policies WHERE principal_id = ? AND name = ?').run(id, name).changes > 0;
  }

  async updateAccessKeyStatus(accessKeyId: string, status: AccessKeyStatus): Promise<void> {
    this.#db.prepare('UPDATE access_keys SET status = ? WHERE access_key_id = ?').run(status, accessKeyId);
  }

  async deleteAccessKey(accessKeyId: string): Promise<void> {
    this.#db.prepare('DELETE FROM access_keys WHERE access_key_id = ?').run(accessKeyId);
  }
}
