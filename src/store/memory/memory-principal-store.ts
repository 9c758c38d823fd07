import type { Tag } from '../../core/key.js';
import type { Page, PrincipalStore, StoredPrincipalPolicy } from '../../core/ports.js';
import type { AccessKeyRecord, AccessKeyStatus, PrincipalRecord } from '../../core/principal.js';
import type { MemoryDatabase } from './memory-database.js';
import type { RoleTrust, SessionRecord } from '../../core/session.js';
import type { MfaDeviceRecord } from '../../core/mfa.js';
import { parseRefs, parseStrings, parseTags } from '../stored-json.js';
import { atomic, byBinary, copy, deleteWhere, pk, put, requireParent, requireUnique, rows, tables, type AccessKeyRow, type PrincipalRow, type Tables } from './tables.js';

const toPrincipal = (r: PrincipalRow): PrincipalRecord => ({ id: r.id, type: r.type, name: r.name, arn: r.arn, createdAt: new Date(r.createdAt) });

const toAccessKey = (r: AccessKeyRow): AccessKeyRecord => ({
  accessKeyId: r.accessKeyId,
  principalId: r.principalId,
  status: r.status,
  wrappedSecret: copy(r.wrappedSecret),
  domainKeyVersion: r.domainKeyVersion,
  createdAt: new Date(r.createdAt),
});

/** The PrincipalStore port in memory, with SqlitePrincipalStore's semantics (names unique, ids immutable). */
export class MemoryPrincipalStore implements PrincipalStore {
  readonly #db: MemoryDatabase;
  readonly #t: Tables;

  constructor(db: MemoryDatabase) {
    this.#db = db;
    this.#t = tables(db);
  }

  async getPrincipal(id: string): Promise<PrincipalRecord | undefined> {
    const r = this.#t.principals.get(id);
    return r && toPrincipal(r);
  }

  async findPrincipalByName(name: string): Promise<PrincipalRecord | undefined> {
    const r = rows(this.#t.principals, (p) => p.name === name)[0];
    return r && toPrincipal(r);
  }

  async createPrincipal(p: PrincipalRecord): Promise<void> {
    const t = this.#t;
    atomic(this.#db, () => {
      requireUnique(t.principals.has(p.id), `principal ${p.id}`);
      requireUnique(rows(t.principals, (r) => r.name === p.name).length > 0, `principal name ${p.name}`);
      put(t.principals, p.id, { id: p.id, type: p.type, name: p.name, arn: p.arn, createdAt: p.createdAt.getTime() });
      // References stored while no principal had this ARN name the first one created with it (ADR 0009).
      for (const [k, r] of t.policyPrincipals) if (r.arn === p.arn && r.principalId === null) put(t.policyPrincipals, k, { ...r, principalId: p.id });
      for (const [k, g] of t.grants) {
        const grantee = g.granteePrincipal === p.arn && g.granteePrincipalId === null;
        const retiring = g.retiringPrincipal === p.arn && g.retiringPrincipalId === null;
        if (grantee || retiring) {
          put(t.grants, k, { ...g, granteePrincipalId: grantee ? p.id : g.granteePrincipalId, retiringPrincipalId: retiring ? p.id : g.retiringPrincipalId });
        }
      }
    });
  }

  async listPrincipals(after: string | undefined, limit: number): Promise<Page<PrincipalRecord>> {
    const from = after ?? '';
    const found = rows(this.#t.principals, (r) => byBinary(r.name, from) > 0).sort((a, b) => byBinary(a.name, b.name));
    const items = found.slice(0, limit).map(toPrincipal);
    return { items, next: found.length > limit ? items.at(-1)?.name : undefined };
  }

  async deletePrincipal(id: string): Promise<void> {
    const t = this.#t;
    atomic(this.#db, () => {
      deleteWhere(t.accessKeys, (r) => r.principalId === id);
      deleteWhere(t.principalTags, (r) => r.owner === id);
      deleteWhere(t.principalPolicies, (r) => r.principalId === id);
      deleteWhere(t.sessions, (r) => r.principalId === id);
      t.roleTrust.delete(id);
      t.mfaDevices.delete(id);
      t.principals.delete(id);
    });
  }

  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    const r = this.#t.accessKeys.get(accessKeyId);
    return r && toAccessKey(r);
  }

  async createAccessKey(k: AccessKeyRecord): Promise<void> {
    const t = this.#t;
    requireUnique(t.accessKeys.has(k.accessKeyId), `access key ${k.accessKeyId}`);
    requireParent(t.principals.has(k.principalId), `principal ${k.principalId}`);
    requireParent(t.domainKeys.has(String(k.domainKeyVersion)), `domain key ${k.domainKeyVersion}`);
    put(t.accessKeys, k.accessKeyId, {
      accessKeyId: k.accessKeyId,
      principalId: k.principalId,
      status: k.status,
      wrappedSecret: copy(k.wrappedSecret),
      domainKeyVersion: k.domainKeyVersion,
      createdAt: k.createdAt.getTime(),
    });
  }

  async listAccessKeys(principalId: string): Promise<readonly AccessKeyRecord[]> {
    return rows(this.#t.accessKeys, (r) => r.principalId === principalId)
      .sort((a, b) => a.createdAt - b.createdAt)
      .map(toAccessKey);
  }

  async updateAccessKeyStatus(accessKeyId: string, status: AccessKeyStatus): Promise<void> {
    const r = this.#t.accessKeys.get(accessKeyId);
    if (r !== undefined) put(this.#t.accessKeys, accessKeyId, { ...r, status });
  }

  async deleteAccessKey(accessKeyId: string): Promise<void> {
    this.#t.accessKeys.delete(accessKeyId);
  }

  async listPrincipalTags(id: string): Promise<readonly Tag[]> {
    return rows(this.#t.principalTags, (r) => r.owner === id)
      .sort((a, b) => byBinary(a.key, b.key))
      .map((r) => ({ key: r.key, value: r.value }));
  }

  async putPrincipalTags(id: string, tags: readonly Tag[]): Promise<void> {
    const t = this.#t;
    atomic(this.#db, () => {
      for (const tag of tags) {
        requireParent(t.principals.has(id), `principal ${id}`);
        put(t.principalTags, pk(id, tag.key), { owner: id, key: tag.key, value: tag.value });
      }
    });
  }

  async removePrincipalTags(id: string, tagKeys: readonly string[]): Promise<void> {
    for (const k of tagKeys) this.#t.principalTags.delete(pk(id, k));
  }

  async listPrincipalPolicies(id: string): Promise<readonly StoredPrincipalPolicy[]> {
    return rows(this.#t.principalPolicies, (r) => r.principalId === id)
      .sort((a, b) => byBinary(a.name, b.name))
      .map((r) => ({ name: r.name, document: r.document, updatedAt: new Date(r.updatedAt) }));
  }

  async putPrincipalPolicy(id: string, name: string, document: string, at: Date): Promise<void> {
    requireParent(this.#t.principals.has(id), `principal ${id}`);
    put(this.#t.principalPolicies, pk(id, name), { principalId: id, name, document, updatedAt: at.getTime() });
  }

  async deletePrincipalPolicy(id: string, name: string): Promise<boolean> {
    return this.#t.principalPolicies.delete(pk(id, name));
  }

  async getRoleTrust(roleId: string): Promise<RoleTrust | undefined> {
    const r = this.#t.roleTrust.get(roleId);
    return r && { roleId: r.roleId, document: r.document, principals: parseRefs(r.principals), maxSessionDuration: r.maxSessionDuration, updatedAt: new Date(r.updatedAt) };
  }

  async putRoleTrust(x: RoleTrust): Promise<void> {
    requireParent(this.#t.principals.has(x.roleId), `principal ${x.roleId}`);
    put(this.#t.roleTrust, x.roleId, { roleId: x.roleId, document: x.document, principals: JSON.stringify(x.principals), maxSessionDuration: x.maxSessionDuration, updatedAt: x.updatedAt.getTime() });
  }

  async createSession(x: SessionRecord): Promise<void> {
    const t = this.#t;
    requireUnique(t.sessions.has(x.accessKeyId), `session ${x.accessKeyId}`);
    requireParent(t.principals.has(x.principalId), `principal ${x.principalId}`);
    put(t.sessions, x.accessKeyId, {
      accessKeyId: x.accessKeyId,
      principalId: x.principalId,
      kind: x.kind,
      sessionName: x.sessionName,
      tokenHash: copy(x.tokenHash),
      wrappedSecret: copy(x.wrappedSecret),
      domainKeyVersion: x.domainKeyVersion,
      issuedAt: x.issuedAt.getTime(),
      expiresAt: x.expiresAt.getTime(),
      revokedAt: x.revokedAt?.getTime() ?? null,
      tags: JSON.stringify(x.tags),
      transitiveTagKeys: JSON.stringify(x.transitiveTagKeys),
      sourceArn: x.sourceArn,
      mfaAuthenticatedAt: x.mfaAuthenticatedAt?.getTime() ?? null,
    });
  }

  async getSession(accessKeyId: string): Promise<SessionRecord | undefined> {
    const r = this.#t.sessions.get(accessKeyId);
    return (
      r && {
        accessKeyId: r.accessKeyId,
        principalId: r.principalId,
        kind: r.kind,
        sessionName: r.sessionName,
        tokenHash: copy(r.tokenHash),
        wrappedSecret: copy(r.wrappedSecret),
        domainKeyVersion: r.domainKeyVersion,
        issuedAt: new Date(r.issuedAt),
        expiresAt: new Date(r.expiresAt),
        revokedAt: r.revokedAt === null ? undefined : new Date(r.revokedAt),
        tags: parseTags(r.tags),
        transitiveTagKeys: parseStrings(r.transitiveTagKeys),
        sourceArn: r.sourceArn,
        mfaAuthenticatedAt: r.mfaAuthenticatedAt === null ? undefined : new Date(r.mfaAuthenticatedAt),
      }
    );
  }

  async revokeSessions(principalId: string, at: Date): Promise<number> {
    const t = this.#t;
    return atomic(this.#db, () => {
      let n = 0;
      for (const r of rows(t.sessions, (x) => x.principalId === principalId && x.issuedAt <= at.getTime() && x.revokedAt === null)) {
        put(t.sessions, r.accessKeyId, { ...r, revokedAt: at.getTime() });
        n++;
      }
      return n;
    });
  }

  async deleteExpiredSessions(before: Date): Promise<number> {
    return deleteWhere(this.#t.sessions, (r) => r.expiresAt < before.getTime());
  }

  async getMfaDevice(principalId: string): Promise<MfaDeviceRecord | undefined> {
    const r = this.#t.mfaDevices.get(principalId);
    return r && { ...r, wrappedSecret: copy(r.wrappedSecret), createdAt: new Date(r.createdAt) };
  }

  async createMfaDevice(d: MfaDeviceRecord): Promise<void> {
    const t = this.#t;
    requireUnique(t.mfaDevices.has(d.principalId), `MFA device of ${d.principalId}`);
    requireParent(t.principals.has(d.principalId), `principal ${d.principalId}`);
    put(t.mfaDevices, d.principalId, { ...d, wrappedSecret: copy(d.wrappedSecret), createdAt: d.createdAt.getTime() });
  }

  async deleteMfaDevice(principalId: string): Promise<boolean> {
    return this.#t.mfaDevices.delete(principalId);
  }

  async acceptMfaTimeStep(principalId: string, step: number): Promise<boolean> {
    const t = this.#t;
    return atomic(this.#db, () => {
      const r = t.mfaDevices.get(principalId);
      if (r === undefined || r.lastTimeStep >= step) return false;
      put(t.mfaDevices, principalId, { ...r, lastTimeStep: step });
      return true;
    });
  }
}
