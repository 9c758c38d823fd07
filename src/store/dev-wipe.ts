import { DOMAIN_TABLES } from './migrate/tables.js';

/**
 * The statements a dev-mode reset runs (DevStateStore.wipe), derived from the domain tables that
 * `storage migrate` copies, so that a table added there is emptied too. Children first (the reverse of
 * the copy's parents-first order). Kept: the domain keys and the seal configuration (the hierarchy) and
 * the audit tables (the trail is append-only; the reset itself is an audited event). Principal-owned
 * tables lose the rows of the principals not kept; every other table is emptied.
 */

/** Tables a reset never touches. */
const KEPT_TABLES = new Set(['domain_keys', 'seal_config']);

/** Tables whose rows belong to a principal (`principal_id`). */
const PRINCIPAL_TABLES = new Set(['access_keys', 'principal_tags', 'principal_policies', 'role_trust', 'sts_sessions', 'mfa_devices']);

export interface WipeStatement {
  readonly table: string;
  /** `all`: every row; `principal_id` / `id`: the rows whose column is not one of the kept principals. */
  readonly by: 'all' | 'principal_id' | 'id';
}

/** The wipe, in order. */
export const WIPE_PLAN: readonly WipeStatement[] = DOMAIN_TABLES.filter((t) => !KEPT_TABLES.has(t.table) && t.chained !== true && !t.table.startsWith('audit_'))
  .map((t): WipeStatement => ({ table: t.table, by: t.table === 'principals' ? 'id' : PRINCIPAL_TABLES.has(t.table) ? 'principal_id' : 'all' }))
  .reverse();

/** The SQL of one statement, with the kept ids as numbered (`$1`) or anonymous (`?`) parameters. */
export function wipeSql(s: WipeStatement, kept: number, placeholder: (i: number) => string): string {
  if (s.by === 'all') return `DELETE FROM ${s.table}`;
  if (kept === 0) return `DELETE FROM ${s.table}`;
  const list = Array.from({ length: kept }, (_, i) => placeholder(i + 1)).join(', ');
  return `DELETE FROM ${s.table} WHERE ${s.by} NOT IN (${list})`;
}
