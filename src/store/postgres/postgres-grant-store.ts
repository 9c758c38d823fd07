import type { GrantConstraints, GrantOperation, GrantRecord } from '../../core/grant.js';
import type { GrantStore, Page } from '../../core/ports.js';
import type { PostgresDatabase } from './database.js';

interface GrantRow {
  grant_id: string;
  key_id: string;
  name: string | null;
  grantee_principal: string;
  retiring_principal: string | null;
  issuing_principal: string;
  operations: string;
  constraints: string | null;
  created_at: Date;
  expires_at: Date | null;
  grantee_principal_id: string | null;
  retiring_principal_id: string | null;
  parent_grant_id: string | null;
  grantee_service_principal: string | null;
  retiring_service_principal: string | null;
}

const GRANT_COLUMNS = `grant_id, key_id, name, grantee_principal, retiring_principal, issuing_principal, operations, constraints, created_at, expires_at,
  grantee_principal_id, retiring_principal_id, parent_grant_id, grantee_service_principal, retiring_service_principal`;

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
    createdAt: r.created_at,
    expiresAt: r.expires_at ?? undefined,
    parentGrantId: r.parent_grant_id ?? undefined,
  };
}

/** The two ways grants are paged; the column names are fixed here, never taken from a caller. */
const PAGED_BY = { key: 'key_id', retiring: 'retiring_principal', retiringService: 'retiring_service_principal' } as const;

/** The GrantStore port on PostgreSQL: grants in creation order (an identity column), revoked with their descendants. */
export class PostgresGrantStore implements GrantStore {
  readonly #pg: PostgresDatabase;

  constructor(pg: PostgresDatabase) {
    this.#pg = pg;
  }

  async createGrant(g: GrantRecord): Promise<void> {
    await this.#pg.db.query(
      `INSERT INTO grants (grant_id, key_id, name, grantee_principal, retiring_principal, issuing_principal, operations, constraints, created_at, expires_at,
         grantee_principal_id, retiring_principal_id, parent_grant_id, grantee_service_principal, retiring_service_principal)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
      [
        g.grantId,
        g.keyId,
        g.name ?? null,
        g.granteePrincipal,
        g.retiringPrincipal ?? null,
        g.issuingPrincipal,
        JSON.stringify(g.operations),
        g.constraints === undefined ? null : JSON.stringify(g.constraints),
        g.createdAt,
        g.expiresAt ?? null,
        g.granteePrincipalId ?? null,
        g.retiringPrincipalId ?? null,
        g.parentGrantId ?? null,
        g.granteeServicePrincipal ?? null,
        g.retiringServicePrincipal ?? null,
      ],
    );
  }

  async getGrant(grantId: string): Promise<GrantRecord | undefined> {
    const row = (await this.#pg.db.query<GrantRow>(`SELECT ${GRANT_COLUMNS} FROM grants WHERE grant_id = $1`, [grantId])).rows[0];
    return row && toGrant(row);
  }

  /** A page after the grant `after`; an unknown marker gives an empty page (as SQLite: no InvalidMarker here). */
  async #page(by: keyof typeof PAGED_BY, value: string, after: string | undefined, limit: number): Promise<Page<GrantRecord>> {
    const r = await this.#pg.db.query<GrantRow>(
      `SELECT ${GRANT_COLUMNS} FROM grants
       WHERE ${PAGED_BY[by]} = $1 AND seq > COALESCE(CASE WHEN $2::text IS NULL THEN 0 ELSE (SELECT seq FROM grants WHERE grant_id = $2) END, ${Number.MAX_SAFE_INTEGER})
       ORDER BY seq LIMIT $3`,
      [value, after ?? null, limit + 1],
    );
    const items = r.rows.slice(0, limit).map(toGrant);
    return { items, next: r.rows.length > limit ? items.at(-1)?.grantId : undefined };
  }

  async listGrants(keyId: string, after: string | undefined, limit: number): Promise<Page<GrantRecord>> {
    return this.#page('key', keyId, after, limit);
  }

  async grantsForKey(keyId: string): Promise<readonly GrantRecord[]> {
    return (await this.#pg.db.query<GrantRow>(`SELECT ${GRANT_COLUMNS} FROM grants WHERE key_id = $1 ORDER BY seq`, [keyId])).rows.map(toGrant);
  }

  async listRetirableGrants(retiringPrincipal: string, after: string | undefined, limit: number): Promise<Page<GrantRecord>> {
    return this.#page('retiring', retiringPrincipal, after, limit);
  }

  async listServiceRetirableGrants(servicePrincipal: string, after: string | undefined, limit: number): Promise<Page<GrantRecord>> {
    return this.#page('retiringService', servicePrincipal, after, limit);
  }

  async deleteGrant(grantId: string): Promise<void> {
    // The grant and its descendants: a grant never outlives the grant it was created under (DESIGN §7.8).
    await this.#pg.db.query(
      `WITH RECURSIVE doomed(id) AS (SELECT $1::text COLLATE "C" UNION SELECT g.grant_id FROM grants g JOIN doomed d ON g.parent_grant_id = d.id)
       DELETE FROM grants WHERE grant_id IN (SELECT id FROM doomed)`,
      [grantId],
    );
  }
}
