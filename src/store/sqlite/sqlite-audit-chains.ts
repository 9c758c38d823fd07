import type { AuditChainInfo } from '../../core/audit-chains.js';
import type { AuditTrail } from '../../core/ports.js';
import type { SqliteDatabase } from './database.js';
import { SqliteAuditTrail } from './sqlite-audit-trail.js';

/**
 * The audit chains of a SQLite database: one, written by the one node (issue 14's cluster view answers
 * the same questions on both engines). Read-only.
 */
export class SqliteAuditChains {
  readonly #db: SqliteDatabase;
  readonly #node: string;

  /** `node`: the name this database's node goes by (the chain has no name of its own on SQLite). */
  constructor(db: SqliteDatabase, node: string) {
    this.#db = db;
    this.#node = node;
  }

  /** The chain, once the writer has named it; empty before. */
  async list(): Promise<AuditChainInfo[]> {
    const chainId = this.#chainId();
    if (chainId === undefined) return [];
    const trail = this.#trail(chainId, []);
    const events = this.#db.prepare<[], { n: number | null }>('SELECT MAX(seq) AS n FROM audit_events').get()?.n ?? 0;
    return [{ node: this.#node, chainId, events, latestTreeHead: await trail.latestTreeHead(), publicKey: trail.publicKey() }];
  }

  /** A read-only trail over the chain (SqliteAuditTrail, signing nothing); undefined for another id. */
  async trailOf(chainId: string, keyUseEvents: readonly string[]): Promise<AuditTrail | undefined> {
    return chainId === this.#chainId() ? this.#trail(chainId, keyUseEvents) : undefined;
  }

  #chainId(): string | undefined {
    return this.#db.prepare<[], { value: string }>("SELECT value FROM audit_meta WHERE name = 'chain_id'").get()?.value;
  }

  #trail(chainId: string, keyUseEvents: readonly string[]): SqliteAuditTrail {
    const publicKey = this.#db.prepare<[], { public_key: Buffer }>('SELECT public_key FROM audit_signing_keys WHERE id = 1').get()?.public_key ?? Buffer.alloc(0);
    return new SqliteAuditTrail(this.#db, () => chainId, () => publicKey, () => undefined, () => undefined, keyUseEvents);
  }
}
