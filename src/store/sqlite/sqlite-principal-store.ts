import type { Tag } from '../../core/key.js';
import type { Page, PrincipalStore, StoredPrincipalPolicy } from '../../core/ports.js';
import type { AccessKeyRecord, AccessKeyStatus, PrincipalRecord, PrincipalType } from '../../core/principal.js';
import type { SqliteDatabase } from './database.js';
import type { RoleTrust, SessionRecord } from '../../core/session.js';
import type { MfaDeviceRecord } from '../../core/mfa.js';
import type { SessionKind } from '../../core/principal.js';
import { parseRefs, parseStrings, parseTags } from '../stored-json.js';
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

interface RoleTrustRow {
  principal_id: string;
  document: string;
  principal_refs: string;
  max_session_duration: number;
  updated_at: number;
}

interface SessionRow {
  access_key_id: string;
  principal_id: string;
  kind: SessionKind;
  session_name: string;
  token_hash: Buffer;
  wrapped_secret: Buffer;
  domain_key_version: number;
  issued_at: number;
  expires_at: number;
  revoked_at: number | null;
  tags: string;
  transitive_tag_keys: string;
  source_arn: string;
  mfa_authenticated_at: number | null;
}

interface MfaDeviceRow {
  principal_id: string;
  serial_number: string;
  wrapped_secret: Buffer;
  domain_key_version: number;
  created_at: number;
  last_time_step: number;
}

const toSession = (r: SessionRow): SessionRecord => ({
  accessKeyId: r.access_key_id,
  principalId: r.principal_id,
  kind: r.kind,
  sessionName: r.session_name,
  tokenHash: r.token_hash,
  wrappedSecret: r.wrapped_secret,
  domainKeyVersion: r.domain_key_version,
  issuedAt: new Date(r.issued_at),
  expiresAt: new Date(r.expires_at),
  revokedAt: r.revoked_at === null ? undefined : new Date(r.revoked_at),
  tags: parseTags(r.tags),
  transitiveTagKeys: parseStrings(r.transitive_tag_keys),
  sourceArn: r.source_arn,
  mfaAuthenticatedAt: r.mfa_authenticated_at === null ? undefined : new Date(r.mfa_authenticated_at),
});

/** The PrincipalStore port on SQLite: principals, access keys, principal tags, identity policies, trust policies and STS sessions. */
export class SqlitePrincipalStore implements PrincipalStore {
  readonly #db: SqliteDatabase;
  readonly #getAccessKey;
  readonly #getPrincipal;
  readonly #getSession;
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
    this.#getSession = db.prepare<[string], SessionRow>('SELECT * FROM sts_sessions WHERE access_key_id = ?');
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
      for (const table of ['access_keys', 'principal_tags', 'principal_policies', 'role_trust', 'sts_sessions', 'mfa_devices']) this.#db.prepare(`DELETE FROM ${table} WHERE principal_id = ?`).run(id);
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

  async getRoleTrust(roleId: string): Promise<RoleTrust | undefined> {
    const r = this.#db.prepare<[string], RoleTrustRow>('SELECT * FROM role_trust WHERE principal_id = ?').get(roleId);
    return r && { roleId: r.principal_id, document: r.document, principals: parseRefs(r.principal_refs), maxSessionDuration: r.max_session_duration, updatedAt: new Date(r.updated_at) };
  }

  async putRoleTrust(t: RoleTrust): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO role_trust (principal_id, document, principal_refs, max_session_duration, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (principal_id) DO UPDATE SET document = excluded.document, principal_refs = excluded.principal_refs, max_session_duration = excluded.max_session_duration, updated_at = excluded.updated_at`,
      )
      .run(t.roleId, t.document, JSON.stringify(t.principals), t.maxSessionDuration, t.updatedAt.getTime());
  }

  async createSession(x: SessionRecord): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO sts_sessions (access_key_id, principal_id, kind, session_name, token_hash, wrapped_secret, domain_key_version, issued_at, expires_at, revoked_at, tags, transitive_tag_keys, source_arn, mfa_authenticated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(x.accessKeyId, x.principalId, x.kind, x.sessionName, x.tokenHash, x.wrappedSecret, x.domainKeyVersion, x.issuedAt.getTime(), x.expiresAt.getTime(), x.revokedAt?.getTime() ?? null, JSON.stringify(x.tags), JSON.stringify(x.transitiveTagKeys), x.sourceArn, x.mfaAuthenticatedAt?.getTime() ?? null);
  }

  async getSession(accessKeyId: string): Promise<SessionRecord | undefined> {
    const r = this.#getSession.get(accessKeyId);
    return r && toSession(r);
  }

  async revokeSessions(principalId: string, at: Date): Promise<number> {
    return this.#db.prepare('UPDATE sts_sessions SET revoked_at = ? WHERE principal_id = ? AND issued_at <= ? AND revoked_at IS NULL').run(at.getTime(), principalId, at.getTime()).changes;
  }

  async deleteExpiredSessions(before: Date): Promise<number> {
    return this.#db.prepare('DELETE FROM sts_sessions WHERE expires_at < ?').run(before.getTime()).changes;
  }

  async getMfaDevice(principalId: string): Promise<MfaDeviceRecord | undefined> {
    const r = this.#db.prepare<[string], MfaDeviceRow>('SELECT * FROM mfa_devices WHERE principal_id = ?').get(principalId);
    return r && { principalId: r.principal_id, serialNumber: r.serial_number, wrappedSecret: r.wrapped_secret, domainKeyVersion: r.domain_key_version, createdAt: new Date(r.created_at), lastTimeStep: r.last_time_step };
  }

  async createMfaDevice(d: MfaDeviceRecord): Promise<void> {
    this.#db
      .prepare('INSERT INTO mfa_devices (principal_id, serial_number, wrapped_secret, domain_key_version, created_at, last_time_step) VALUES (?, ?, ?, ?, ?, ?)')
      .run(d.principalId, d.serialNumber, d.wrappedSecret, d.domainKeyVersion, d.createdAt.getTime(), d.lastTimeStep);
  }

  async deleteMfaDevice(principalId: string): Promise<boolean> {
    return this.#db.prepare('DELETE FROM mfa_devices WHERE principal_id = ?').run(principalId).changes > 0;
  }

  async acceptMfaTimeStep(principalId: string, step: number): Promise<boolean> {
    return this.#db.prepare('UPDATE mfa_devices SET last_time_step = ? WHERE principal_id = ? AND last_time_step < ?').run(step, principalId, step).changes > 0;
  }
}
