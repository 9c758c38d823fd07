import type { Clock } from '../../core/ports.js';
import { StorageHealthTracker } from '../storage-health.js';

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

/** The health of the SQLite store: failing on a disk or database-file failure ({@link isStorageFailure}). */
export class SqliteStorageHealth extends StorageHealthTracker {
  constructor(clock: Clock) {
    super(clock, isStorageFailure);
  }
}
