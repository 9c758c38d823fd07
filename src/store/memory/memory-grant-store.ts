import type { GrantConstraints, GrantRecord } from '../../core/grant.js';
import type { GrantStore, Page } from '../../core/ports.js';
import type { MemoryDatabase } from './memory-database.js';
import { atomic, put, requireUnique, rows, tables, type GrantRow, type Tables } from './tables.js';

/** Rows are written only by this class, so the JSON column holds what it wrote. */
function parseConstraints(json: string | null): GrantConstraints | undefined {
  if (json === null) return undefined;
  const parsed: GrantConstraints = JSON.parse(json);
  return parsed;
}

const toGrant = (r: GrantRow): GrantRecord => ({
  grantId: r.grantId,
  keyId: r.keyId,
  name: r.name ?? undefined,
  granteePrincipal: r.granteePrincipal,
  granteePrincipalId: r.granteePrincipalId ?? undefined,
  retiringPrincipal: r.retiringPrincipal ?? undefined,
  retiringPrincipalId: r.retiringPrincipalId ?? undefined,
  granteeServicePrincipal: r.granteeServicePrincipal ?? undefined,
  retiringServicePrincipal: r.retiringServicePrincipal ?? undefined,
  issuingPrincipal: r.issuingPrincipal,
  operations: [...r.operations],
  constraints: parseConstraints(r.constraints),
  createdAt: new Date(r.createdAt),
  expiresAt: r.expiresAt === null ? undefined : new Date(r.expiresAt),
  parentGrantId: r.parentGrantId ?? undefined,
});

/** The GrantStore port in memory, with SqliteGrantStore's semantics (creation order, cascading delete). */
export class MemoryGrantStore implements GrantStore {
  readonly #db: MemoryDatabase;
  readonly #t: Tables;

  constructor(db: MemoryDatabase) {
    this.#db = db;
    this.#t = tables(db);
  }

  async createGrant(g: GrantRecord): Promise<void> {
    const grants = this.#t.grants;
    requireUnique(grants.has(g.grantId), `grant ${g.grantId}`);
    put(grants, g.grantId, {
      grantId: g.grantId,
      seq: Math.max(0, ...rows(grants).map((r) => r.seq)) + 1,
      keyId: g.keyId,
      name: g.name ?? null,
      granteePrincipal: g.granteePrincipal,
      granteePrincipalId: g.granteePrincipalId ?? null,
      retiringPrincipal: g.retiringPrincipal ?? null,
      retiringPrincipalId: g.retiringPrincipalId ?? null,
      granteeServicePrincipal: g.granteeServicePrincipal ?? null,
      retiringServicePrincipal: g.retiringServicePrincipal ?? null,
      issuingPrincipal: g.issuingPrincipal,
      operations: Object.freeze([...g.operations]),
      constraints: g.constraints === undefined ? null : JSON.stringify(g.constraints),
      createdAt: g.createdAt.getTime(),
      expiresAt: g.expiresAt?.getTime() ?? null,
      parentGrantId: g.parentGrantId ?? null,
    });
  }

  async getGrant(grantId: string): Promise<GrantRecord | undefined> {
    const r = this.#t.grants.get(grantId);
    return r && toGrant(r);
  }

  #page(where: (r: GrantRow) => boolean, after: string | undefined, limit: number): Page<GrantRecord> {
    // An unknown marker starts past the end (an empty page), as on SQLite.
    const afterSeq = after === undefined ? 0 : (this.#t.grants.get(after)?.seq ?? Number.MAX_SAFE_INTEGER);
    const found = rows(this.#t.grants, (r) => where(r) && r.seq > afterSeq).sort((a, b) => a.seq - b.seq);
    const items = found.slice(0, limit).map(toGrant);
    return { items, next: found.length > limit ? items.at(-1)?.grantId : undefined };
  }

  async listGrants(keyId: string, after: string | undefined, limit: number): Promise<Page<GrantRecord>> {
    return this.#page((r) => r.keyId === keyId, after, limit);
  }

  async grantsForKey(keyId: string): Promise<readonly GrantRecord[]> {
    return rows(this.#t.grants, (r) => r.keyId === keyId)
      .sort((a, b) => a.seq - b.seq)
      .map(toGrant);
  }

  async listRetirableGrants(retiringPrincipal: string, after: string | undefined, limit: number): Promise<Page<GrantRecord>> {
    return this.#page((r) => r.retiringPrincipal === retiringPrincipal, after, limit);
  }

  async listServiceRetirableGrants(servicePrincipal: string, after: string | undefined, limit: number): Promise<Page<GrantRecord>> {
    return this.#page((r) => r.retiringServicePrincipal === servicePrincipal, after, limit);
  }

  async deleteGrant(grantId: string): Promise<void> {
    // The grant and its descendants: a grant never outlives the grant it was created under (DESIGN §7.8).
    const grants = this.#t.grants;
    atomic(this.#db, () => {
      const doomed = [grantId];
      for (let i = 0; i < doomed.length; i++) {
        for (const r of grants.values()) if (r.parentGrantId === doomed[i] && !doomed.includes(r.grantId)) doomed.push(r.grantId);
      }
      for (const id of doomed) grants.delete(id);
    });
  }
}
