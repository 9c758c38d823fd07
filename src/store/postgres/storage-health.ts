import type { Clock } from '../../core/ports.js';
import { StorageHealthTracker } from '../storage-health.js';

/**
 * SQLSTATE classes and codes that mean the database, not the request, failed: connection exceptions
 * (08), operator intervention (57P01-57P03: shutdown, crash, starting up), insufficient resources (53:
 * disk full, out of memory, too many connections), system errors (58: I/O) and data corruption (XX001,
 * XX002); and the socket errors of an unreachable server.
 */
const OUTAGE_CODE = /^(08...|57P0[1-3]|53...|58...|XX00[12]|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN)$/;

/** node-postgres's own messages for a lost or unobtainable connection, or a statement not answered in time (they carry no code). */
const OUTAGE_MESSAGE = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly|Query read timeout)/;

/** Whether `e` means PostgreSQL is unreachable or failing (fail closed; readiness reports it). */
export function isPostgresOutage(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { code, message } = e as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && OUTAGE_CODE.test(code)) return true;
  if (typeof message === 'string' && OUTAGE_MESSAGE.test(message)) return true;
  // An AggregateError (a host name resolving to several addresses, all refused) holds the socket errors.
  const errors = (e as { errors?: unknown }).errors;
  return Array.isArray(errors) && errors.some(isPostgresOutage);
}

/** The health of the PostgreSQL store: failing while the database is unreachable or failing. */
export class PostgresStorageHealth extends StorageHealthTracker {
  constructor(clock: Clock) {
    super(clock, isPostgresOutage);
  }
}
