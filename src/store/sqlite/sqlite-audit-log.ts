import type { AuditEvent } from '../../core/audit.js';
import type { AuditLog } from '../../core/ports.js';
import type { SqliteDatabase } from './database.js';

interface Pending {
  event: AuditEvent;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * The AuditLog port on SQLite with group commit: events appended while a commit is being prepared are
 * written together in one transaction (one fsync under `synchronous=FULL`), and every `append` resolves
 * only after the transaction holding its event has committed. A failed commit rejects every append in it.
 */
export class SqliteAuditLog implements AuditLog {
  readonly #db: SqliteDatabase;
  readonly #insert;
  #queue: Pending[] = [];
  #scheduled = false;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#insert = db.prepare(
      'INSERT INTO audit_events (event_id, event_time, event_name, request_id, error_code, body) VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  append(event: AuditEvent): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ event, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    try {
      this.#db.transaction(() => {
        for (const { event: e } of batch) {
          this.#insert.run(e.eventID, e.eventTime, e.eventName, e.requestID, e.errorCode ?? null, JSON.stringify(e));
        }
      }).immediate();
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    for (const p of batch) p.resolve();
  }

  /** Events, oldest first (the query API and the verifiable trail come with the audit issue). */
  list(limit = 1000): AuditEvent[] {
    return this.#db
      .prepare<[number], { body: string }>('SELECT body FROM audit_events ORDER BY seq LIMIT ?')
      .all(limit)
      .map((r) => JSON.parse(r.body) as AuditEvent);
  }
}
