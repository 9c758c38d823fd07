import { CRYPTO_OPERATIONS } from '../core/audit.js';
import type { RegisteredOperation } from './operation.js';

/**
 * Operations that are not `readOnly` in the API sense (they use key material) but never change stored
 * state: their events go through group commit. Every other non-read-only operation — including any new
 * one not listed here — runs inside the audit transaction, so its changes commit with its event or not
 * at all (ADR 0005).
 */
export const STATELESS_OPERATIONS: ReadonlySet<string> = new Set([...CRYPTO_OPERATIONS, 'GenerateRandom', 'GetPublicKey']);

/**
 * Whether the operation may change stored state (and so must commit together with its audit event).
 * The seal operations (`authentication: 'none'`) are left out: unsealing runs the lifecycle jobs, which
 * append their own events and would wait for the very transaction they run in.
 */
export function changesState(op: RegisteredOperation): boolean {
  return !op.readOnly && !STATELESS_OPERATIONS.has(op.name) && op.authentication !== 'none';
}
