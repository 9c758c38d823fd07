import type { Tag } from '../../core/key.js';
import type { Page, PrincipalStore, StoredPrincipalPolicy } from '../../core/ports.js';
import type { AccessKeyRecord, AccessKeyStatus, PrincipalRecord, PrincipalType, SessionKind } from '../../core/principal.js';
import type { RoleTrust, SessionRecord } from '../../core/session.js';
import type { MfaDeviceRecord } from '../../core/mfa.js';
import { parseRefs, parseStrings, parseTags } from '../stored-json.js';
import type { PostgresDatabase } from './database.js';

interface PrincipalRow {
  id: string;
  type: PrincipalType;
  name: string;
  arn: string;
  created_at: Date;
}

interface AccessKeyRow {
  access_key_id: string;
  principal_id: string;
  status: AccessKeyStatus;
  wrapped_secret: Buffer;
  domain_key_version: number;
  created_at: Date;
}

const toPrincipal = (r: PrincipalRow): PrincipalRecord => ({ id: r.id, type: r.type, name: r.name, arn: r.arn, createdAt: r.created_at });

const toAccessKey = (r: AccessKeyRow): AccessKeyRecord => ({
  accessKeyId: r.access_key_id,
  principalId: r.principal_id,
  status: r.status,
  wrappedSecret: r.wrapped_secret,
  domainKeyVersion: r.domain_key_version,
  createdAt: r.created_at,
});

interface RoleTrustRow {
  principal_id: string;
  document: string;
  principal_refs: string;
  max_session_duration: number;
  updated_at: Date;
}

interface SessionRow {
  access_key_id: string;
  principal_id: string;
  kind: SessionKind;
  session_name: string;
  token_hash: Buffer;
  wrapped_secret: Buffer;
  domain_key_version: number;
  issued_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  tags: string;
  transitive_tag_keys: string;
  source_arn: string;
  mfa_authenticated_at: Date | null;
}

interface MfaDeviceRow {
  principal_id: string;
  serial_number: string;
  wrapped_secret: Buffer;
  domain_key_version: number;
  created_at: Date;
  /** BIGINT: node-postgres answers a string. */
  last_time_step: string | number;
}

/** The PrincipalStore port on PostgreSQL: principals, access keys, principal tags, identity policies, trust policies and STS sessions. */
export class PostgresPrincipalStore implements PrincipalStore {
  readonly #pg: PostgresDatabase;

  constructor(pg: PostgresDatabase) {
    this.#pg = pg;
  }

  async getPrincipal(id: string): Promise<PrincipalRecord | undefined> {
    const row = (await this.#pg.db.query<PrincipalRow>('SELECT * FROM principals WHERE id = $1', [id])).rows[0];
    return row && toPrincipal(row);
  }

  async findPrincipalByName(name: string): Promise<PrincipalRecord | undefined> {
    const row = (await this.#pg.db.query<PrincipalRow>('SELECT * FROM principals WHERE name = $1', [name])).rows[0];
    return row && toPrincipal(row);
  }

  async createPrincipal(p: PrincipalRecord): Promise<void> {
    await this.#pg.transactions.run(async () => {
      const q = this.#pg.db;
      await q.query('INSERT INTO principals (id, type, name, arn, created_at) VALUES ($1, $2, $3, $4, $5)', [p.id, p.type, p.name, p.arn, p.createdAt]);
      // References stored while no principal had this ARN name the first one created with it (ADR 0009).
      await q.query('UPDATE key_policy_principals SET principal_id = $1 WHERE arn = $2 AND principal_id IS NULL', [p.id, p.arn]);
      await q.query('UPDATE grants SET grantee_principal_id = $1 WHERE grantee_principal = $2 AND grantee_principal_id IS NULL', [p.id, p.arn]);
      await q.query('UPDATE grants SET retiring_principal_id = $1 WHERE retiring_principal = $2 AND retiring_principal_id IS NULL', [p.id, p.arn]);
    });
  }

  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    const row = (await this.#pg.db.query<AccessKeyRow>('SELECT * FROM access_keys WHERE access_key_id = $1', [accessKeyId])).rows[0];
    return row && toAccessKey(row);
  }

  async listAccessKeys(principalId: string): Promise<readonly AccessKeyRecord[]> {
    const r = await this.#pg.db.query<AccessKeyRow>('SELECT * FROM access_keys WHERE principal_id = $1 ORDER BY created_at, access_key_id', [principalId]);
    return r.rows.map(toAccessKey);
  }

  async createAccessKey(k: AccessKeyRecord): Promise<void> {
    await this.#pg.db.query(
      'INSERT INTO access_keys (access_key_id, principal_id, status, wrapped_secret, domain_key_version, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [k.accessKeyId, k.principalId, k.status, k.wrappedSecret, k.domainKeyVersion, k.createdAt],
    );
  }

  async listPrincipals(after: string | undefined, limit: number): Promise<Page<PrincipalRecord>> {
    const r = await this.#pg.db.query<PrincipalRow>('SELECT * FROM principals WHERE name > $1 ORDER BY name LIMIT $2', [after ?? '', limit + 1]);
    const items = r.rows.slice(0, limit).map(toPrincipal);
    return { items, next: r.rows.length > limit ? items.at(-1)?.name : undefined };
  }

  async deletePrincipal(id: string): Promise<void> {
    await this.#pg.transactions.run(async () => {
      const q = this.#pg.db;
      await q.query('DELETE FROM access_keys WHERE principal_id = $1', [id]);
      await q.query('DELETE FROM principal_tags WHERE principal_id = $1', [id]);
      await q.query('DELETE FROM principal_policies WHERE principal_id = $1', [id]);
      await q.query('DELETE FROM role_trust WHERE principal_id = $1', [id]);
      await q.query('DELETE FROM sts_sessions WHERE principal_id = $1', [id]);
      await q.query('DELETE FROM mfa_devices WHERE principal_id = $1', [id]);
      await q.query('DELETE FROM principals WHERE id = $1', [id]);
    });
  }

  async listPrincipalTags(id: string): Promise<readonly Tag[]> {
    const r = await this.#pg.db.query<{ tag_key: string; tag_value: string }>('SELECT tag_key, tag_value FROM principal_tags WHERE principal_id = $1 ORDER BY tag_key', [id]);
    return r.rows.map((t) => ({ key: t.tag_key, value: t.tag_value }));
  }

  async putPrincipalTags(id: string, tags: readonly Tag[]): Promise<void> {
    await this.#pg.transactions.run(async () => {
      for (const t of tags) {
        await this.#pg.db.query(
          'INSERT INTO principal_tags (principal_id, tag_key, tag_value) VALUES ($1, $2, $3) ON CONFLICT (principal_id, tag_key) DO UPDATE SET tag_value = excluded.tag_value',
          [id, t.key, t.value],
        );
      }
    });
  }

  async removePrincipalTags(id: string, tagKeys: readonly string[]): Promise<void> {
    await this.#pg.db.query('DELETE FROM principal_tags WHERE principal_id = $1 AND tag_key = ANY($2::text[])', [id, [...tagKeys]]);
  }

  async listPrincipalPolicies(id: string): Promise<readonly StoredPrincipalPolicy[]> {
    const r = await this.#pg.db.query<{ name: string; document: string; updated_at: Date }>(
      'SELECT name, document, updated_at FROM principal_policies WHERE principal_id = $1 ORDER BY name',
      [id],
    );
    return r.rows.map((p) => ({ name: p.name, document: p.document, updatedAt: p.updated_at }));
  }

  async putPrincipalPolicy(id: string, name: string, document: string, at: Date): Promise<void> {
    await this.#pg.db.query(
      `INSERT INTO principal_policies (principal_id, name, document, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (principal_id, name) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at`,
      [id, name, document, at],
    );
  }

  async deletePrincipalPolicy(id: string, name: string): Promise<boolean> {
    return ((await this.#pg.db.query('DELETE FROM principal_policies WHERE principal_id = $1 AND name = $2', [id, name])).rowCount ?? 0) > 0;
  }

  async updateAccessKeyStatus(accessKeyId: string, status: AccessKeyStatus): Promise<void> {
    await this.#pg.db.query('UPDATE access_keys SET status = $1 WHERE access_key_id = $2', [status, accessKeyId]);
  }

  async deleteAccessKey(accessKeyId: string): Promise<void> {
    await this.#pg.db.query('DELETE FROM access_keys WHERE access_key_id = $1', [accessKeyId]);
  }

  async getRoleTrust(roleId: string): Promise<RoleTrust | undefined> {
    const r = (await this.#pg.db.query<RoleTrustRow>('SELECT * FROM role_trust WHERE principal_id = $1', [roleId])).rows[0];
    return r && { roleId: r.principal_id, document: r.document, principals: parseRefs(r.principal_refs), maxSessionDuration: r.max_session_duration, updatedAt: r.updated_at };
  }

  async putRoleTrust(t: RoleTrust): Promise<void> {
    await this.#pg.db.query(
      `INSERT INTO role_trust (principal_id, document, principal_refs, max_session_duration, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (principal_id) DO UPDATE SET document = excluded.document, principal_refs = excluded.principal_refs, max_session_duration = excluded.max_session_duration, updated_at = excluded.updated_at`,
      [t.roleId, t.document, JSON.stringify(t.principals), t.maxSessionDuration, t.updatedAt],
    );
  }

  async createSession(x: SessionRecord): Promise<void> {
    await this.#pg.db.query(
      `INSERT INTO sts_sessions (access_key_id, principal_id, kind, session_name, token_hash, wrapped_secret, domain_key_version, issued_at, expires_at, revoked_at, tags, transitive_tag_keys, source_arn, mfa_authenticated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [x.accessKeyId, x.principalId, x.kind, x.sessionName, x.tokenHash, x.wrappedSecret, x.domainKeyVersion, x.issuedAt, x.expiresAt, x.revokedAt ?? null, JSON.stringify(x.tags), JSON.stringify(x.transitiveTagKeys), x.sourceArn, x.mfaAuthenticatedAt ?? null],
    );
  }

  async getSession(accessKeyId: string): Promise<SessionRecord | undefined> {
    const r = (await this.#pg.db.query<SessionRow>('SELECT * FROM sts_sessions WHERE access_key_id = $1', [accessKeyId])).rows[0];
    return (
      r && {
        accessKeyId: r.access_key_id,
        principalId: r.principal_id,
        kind: r.kind,
        sessionName: r.session_name,
        tokenHash: r.token_hash,
        wrappedSecret: r.wrapped_secret,
        domainKeyVersion: r.domain_key_version,
        issuedAt: r.issued_at,
        expiresAt: r.expires_at,
        revokedAt: r.revoked_at ?? undefined,
        tags: parseTags(r.tags),
        transitiveTagKeys: parseStrings(r.transitive_tag_keys),
        sourceArn: r.source_arn,
        mfaAuthenticatedAt: r.mfa_authenticated_at ?? undefined,
      }
    );
  }

  async revokeSessions(principalId: string, at: Date): Promise<number> {
    const r = await this.#pg.db.query('UPDATE sts_sessions SET revoked_at = $1 WHERE principal_id = $2 AND issued_at <= $1 AND revoked_at IS NULL', [at, principalId]);
    return r.rowCount ?? 0;
  }

  async deleteExpiredSessions(before: Date): Promise<number> {
    return (await this.#pg.db.query('DELETE FROM sts_sessions WHERE expires_at < $1', [before])).rowCount ?? 0;
  }

  async getMfaDevice(principalId: string): Promise<MfaDeviceRecord | undefined> {
    const r = (await this.#pg.db.query<MfaDeviceRow>('SELECT * FROM mfa_devices WHERE principal_id = $1', [principalId])).rows[0];
    return r && { principalId: r.principal_id, serialNumber: r.serial_number, wrappedSecret: r.wrapped_secret, domainKeyVersion: r.domain_key_version, createdAt: r.created_at, lastTimeStep: Number(r.last_time_step) };
  }

  async createMfaDevice(d: MfaDeviceRecord): Promise<void> {
    await this.#pg.db.query(
      'INSERT INTO mfa_devices (principal_id, serial_number, wrapped_secret, domain_key_version, created_at, last_time_step) VALUES ($1, $2, $3, $4, $5, $6)',
      [d.principalId, d.serialNumber, d.wrappedSecret, d.domainKeyVersion, d.createdAt, d.lastTimeStep],
    );
  }

  async deleteMfaDevice(principalId: string): Promise<boolean> {
    return ((await this.#pg.db.query('DELETE FROM mfa_devices WHERE principal_id = $1', [principalId])).rowCount ?? 0) > 0;
  }

  async acceptMfaTimeStep(principalId: string, step: number): Promise<boolean> {
    const r = await this.#pg.db.query('UPDATE mfa_devices SET last_time_step = $1 WHERE principal_id = $2 AND last_time_step < $1', [step, principalId]);
    return (r.rowCount ?? 0) > 0;
  }
}
