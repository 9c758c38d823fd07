import type { PrincipalStore } from '../../core/ports.js';
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

export class SqlitePrincipalStore implements PrincipalStore {
  readonly #db: SqliteDatabase;
  readonly #getAccessKey;
  readonly #getPrincipal;
  protected readonly reads: ReadThrough;

  /** `reads`: the request read cache, for the instance the request pipeline uses (default: direct reads). */
  constructor(db: SqliteDatabase, reads: ReadThrough = DIRECT_READS) {
    this.#db = db;
    this.reads = reads;
    this.#getAccessKey = db.prepare<[string], AccessKeyRow>('SELECT * FROM access_keys WHERE access_key_id = ?');
    this.#getPrincipal = db.prepare<[string], PrincipalRow>('SELECT * FROM principals WHERE id = ?');
  }

  async getPrincipal(id: string): Promise<PrincipalRecord | undefined> {
    return this.reads.read('principal', id, () => {
      const row = this.#getPrincipal.get(id);
      return row && toPrincipal(row);
    });
  }

  async findPrincipalByName(name: string): Promise<PrincipalRecord | undefined> {
    const row = this.#db.prepare<[string], PrincipalRow>('SELECT * FROM principals WHERE name = ?').get(name);
    return row && toPrincipal(row);
  }

  async createPrincipal(p: PrincipalRecord): Promise<void> {
    this.#db.prepare('INSERT INTO principals (id, type, name, arn, created_at) VALUES (?, ?, ?, ?, ?)').run(p.id, p.type, p.name, p.arn, p.createdAt.getTime());
  }

  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    return this.reads.read('access-key', accessKeyId, () => {
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
}
