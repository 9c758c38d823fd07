import type { RegisteredOperation } from './operation.js';

/**
 * Whether the operation may change stored state (and so must commit together with its audit event):
 * every `write` operation, including any new one (ADR 0005); `read` and `use` operations change nothing
 * and their events go through group commit.
 * The seal operations (`authentication: 'none'`) are left out: unsealing runs the lifecycle jobs, which
 * append their own events and would wait for the very transaction they run in. A `'token'` operation
 * (AssumeRoleWithWebIdentity) is a write like any other: its session commits with its event.
 */
export function changesState(op: RegisteredOperation): boolean {
  return op.effect === 'write' && op.authentication !== 'none';
}

/**
 * The event names that count as a use of a key (GetKeyLastUsage reports the last of them on the key),
 * derived from the registry: every operation whose declaration makes it `countsAsKeyUse`. The store is
 * handed this list where it is wired (it may not import the service layer).
 */
export function keyUseEventNames(ops: readonly RegisteredOperation[]): readonly string[] {
  return ops.filter((op) => op.countsAsKeyUse).map((op) => op.name);
}
