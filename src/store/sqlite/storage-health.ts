import type { Clock, StorageHealth, StorageStatus } from '../../core/ports.js';

/**
 * Error codes that mean the storage itself failed, not the request: SQLite's extended result codes
 * (better-sqlite3 puts them in `code`: `SQLITE_FULL`, `SQLITE_IOERR_WRITE`, ...) and the errno codes of
 * node:fs calls (fdatasync of the WAL).
 */
const STORAGE_FAILURE = /^(SQLITE_(FULL|IOERR|CANTOPEN|READONLY|CORRUPT|NOTADB|NOLFS|PROTOCOL)|ENOSPC|EDQUOT|EIO|EROFS)/;

/** Whether `e` is a failure of the storage (disk full, I/O error, read-only or corrupt database). */
export function isStorageFailure(e: unknown): boolean {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' && STORAGE_FAILURE.test(code);
}

/**
 * The health of the SQLite store, as the audit writer sees its commits (every request commits an audit
 * event, so a failing disk shows on the next request). Failing from the first storage failure until a
 * write reaches stable storage again.
 */
export class SqliteStorageHealth implements StorageHealth {
  readonly #clock: Clock;
  #failingSince: Date | undefined;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  noteFailure(e: unknown): boolean {
    if (!isStorageFailure(e)) return false;
    this.#failingSince ??= this.#clock.now();
    return true;
  }

  noteSuccess(): void {
    this.#failingSince = undefined;
  }

  get status(): StorageStatus {
    const since = this.#failingSince;
    return since === undefined ? { healthy: true } : { healthy: false, failingSince: since.toISOString() };
  }
}
