import type { Tag } from '../../core/key.js';
import type { IdentityStore, Page, StoredPrincipalPolicy } from '../../core/ports.js';
import type { AccessKeyStatus, PrincipalRecord, PrincipalType } from '../../core/principal.js';
import type { SqliteDatabase } from './database.js';
import type { ReadThrough } from './read-cache.js';
import { SqlitePrincipalStore } from './sqlite-principal-store.js';

interface PrincipalRow {
  id: string;
  type: PrincipalType;
  name: string;
  arn: string;
  created_at: number;
}

/**
 * The IdentityStore port on SQLite (principal tags, identity policies, access-key lifecycle), together
 * with the PrincipalStore port it extends.
 */
export class SqliteIdentityStore extends SqlitePrincipalStore implements IdentityStore {
  readonly #db: SqliteDatabase;
  readonly #tags;
  readonly #policies;

  constructor(db: SqliteDatabase, reads?: ReadThrough) {
    super(db, reads);
    this.#db = db;
    this.#tags = db.prepare<[string], { tag_key: string; tag_value: string }>('SELECT tag_key, tag_value FROM principal_tags WHERE principal_id = ? ORDER BY tag_key');
    this.#policies = db.prepare<[string], { name: string; document: string; updated_at: number }>('SELECT name, document, updated_at FROM principal_policies WHERE principal_id = ? ORDER BY name');
  }

  async listPrincipals(after: string | undefined, limit: number): Promise<Page<PrincipalRecord>> {
    const rows = this.#db
      .prepare<[string, number], PrincipalRow>('SELECT * FROM principals WHERE name > ? ORDER BY name LIMIT ?')
      .all(after ?? '', limit + 1);
    const items = rows.slice(0, limit).map((r) => ({ id: r.id, type: r.type, name: r.name, arn: r.arn, createdAt: new Date(r.created_at) }));
    return { items, next: rows.length > limit ? items[items.length - 1]?.name : undefined };
  }

  async deletePrincipal(id: string): Promise<void> {
    this.#db.transaction(() => {
      for (const table of ['access_keys', 'principal_tags', 'principal_policies']) this.#db.prepare(`DELETE FROM ${table} WHERE principal_id = ?`).run(id);
      this.#db.prepare('DELETE FROM principals WHERE id = ?').run(id);
    }).immediate();
  }

  async listPrincipalTags(id: string): Promise<readonly Tag[]> {
    return this.reads.read('principal-tags', id, () => this.#tags.all(id).map((r) => ({ key: r.tag_key, value: r.tag_value })));
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
    return this.reads.read('principal-policies', id, () => this.#policies.all(id).map((r) => ({ name: r.name, document: r.document, updatedAt: new Date(r.updated_at) })));
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
