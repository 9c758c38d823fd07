import type { GrantConstraints, GrantOperation, GrantRecord } from '../../core/grant.js';
import type { GrantStore, Page } from '../../core/ports.js';
import type { SqliteDatabase } from './database.js';
import { DIRECT_READS, type ReadThrough } from './read-cache.js';

interface GrantRow {
  grant_id: string;
  seq: number;
  key_id: string;
  name: string | null;
  grantee_principal: string;
  retiring_principal: string | null;
  issuing_principal: string;
  operations: string;
  constraints: string | null;
  created_at: number;
  expires_at: number | null;
  grantee_principal_id: string | null;
  retiring_principal_id: string | null;
  parent_grant_id: string | null;
  grantee_service_principal: string | null;
  retiring_service_principal: string | null;
}

/** Rows are written only by this class, so their JSON columns are trusted to hold what it wrote. */
function toGrant(r: GrantRow): GrantRecord {
  const operations: GrantOperation[] = JSON.parse(r.operations);
  const constraints: GrantConstraints | undefined = r.constraints === null ? undefined : JSON.parse(r.constraints);
  return {
    grantId: r.grant_id,
    keyId: r.key_id,
    name: r.name ?? undefined,
    granteePrincipal: r.grantee_principal,
    granteePrincipalId: r.grantee_principal_id ?? undefined,
    retiringPrincipal: r.retiring_principal ?? undefined,
    retiringPrincipalId: r.retiring_principal_id ?? undefined,
    granteeServicePrincipal: r.grantee_service_principal ?? undefined,
    retiringServicePrincipal: r.retiring_service_principal ?? undefined,
    issuingPrincipal: r.issuing_principal,
    operations,
    constraints,
    createdAt: new Date(r.created_at),
    expiresAt: r.expires_at === null ? undefined : new Date(r.expires_at),
    parentGrantId: r.parent_grant_id ?? undefined,
  };
}

/** The GrantStore port on SQLite. */
export class SqliteGrantStore implements GrantStore {
  readonly #db: SqliteDatabase;
  readonly #forKey;
  readonly #reads: ReadThrough;

  /** `reads`: the request read cache, for the instance the request pipeline uses (default: direct reads). */
  constructor(db: SqliteDatabase, reads: ReadThrough = DIRECT_READS) {
    this.#db = db;
    this.#reads = reads;
    this.#forKey = db.prepare<[string], GrantRow>('SELECT * FROM grants WHERE key_id = ? ORDER BY seq');
  }

  async createGrant(g: GrantRecord): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO grants (grant_id, seq, key_id, name, grantee_principal, retiring_principal, issuing_principal, operations, constraints, created_at, expires_at,
           grantee_principal_id, retiring_principal_id, parent_grant_id, grantee_service_principal, retiring_service_principal)
         VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM grants), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        g.grantId,
        g.keyId,
        g.name ?? null,
        g.granteePrincipal,
        g.retiringPrincipal ?? null,
        g.issuingPrincipal,
        JSON.stringify(g.operations),
        g.constraints === undefined ? null : JSON.stringify(g.constraints),
        g.createdAt.getTime(),
        g.expiresAt?.getTime() ?? null,
        g.granteePrincipalId ?? null,
        g.retiringPrincipalId ?? null,
        g.parentGrantId ?? null,
        g.granteeServicePrincipal ?? null,
        g.retiringServicePrincipal ?? null,
      );
  }

  async getGrant(grantId: string): Promise<GrantRecord | undefined> {
    const r = this.#db.prepare<[string], GrantRow>('SELECT * FROM grants WHERE grant_id = ?').get(grantId);
    return r && toGrant(r);
  }

  #page(where: string, value: string, after: string | undefined, limit: number): Page<GrantRecord> {
    const afterSeq = after === undefined ? 0 : (this.#db.prepare<[string], { seq: number }>('SELECT seq FROM grants WHERE grant_id = ?').get(after)?.seq ?? Number.MAX_SAFE_INTEGER);
    const rows = this.#db.prepare<[string, number, number], GrantRow>(`SELECT * FROM grants WHERE ${where} = ? AND seq > ? ORDER BY seq LIMIT ?`).all(value, afterSeq, limit + 1);
    const items = rows.slice(0, limit).map(toGrant);
    return { items, next: rows.length > limit ? items[items.length - 1]?.grantId : undefined };
  }

  async listGrants(keyId: string, after: string | undefined, limit: number): Promise<Page<GrantRecord>> {
    return this.#page('key_id', keyId, after, limit);
  }

  async grantsForKey(keyId: string): Promise<readonly GrantRecord[]> {
    return this.#reads.read('grants', keyId, () => this.#forKey.all(keyId).map(toGrant));
  }

  async listRetirableGrants(retiringPrincipal: string, after: string | undefined, limit: number): Promise<Page<GrantRecord>> {
    return this.#page('retiring_principal', retiringPrincipal, after, limit);
  }

  async listServiceRetirableGrants(servicePrincipal: string, after: string | undefined, limit: number): Promise<Page<GrantRecord>> {
    return this.#page('retiring_service_principal', servicePrincipal, after, limit);
  }

  async deleteGrant(grantId: string): Promise<void> {
    // The grant and its descendants: a grant never outlives the grant it was created under (DESIGN §7.8).
    this.#db
      .prepare(
        `WITH RECURSIVE doomed(id) AS (SELECT ? UNION SELECT g.grant_id FROM grants g JOIN doomed d ON g.parent_grant_id = d.id)
         DELETE FROM grants WHERE grant_id IN (SELECT id FROM doomed)`,
      )
      .run(grantId);
  }
}
