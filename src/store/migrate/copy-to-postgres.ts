import { MIGRATION_LOCK } from '../postgres/migrations.js';
import type { PostgresDatabase } from '../postgres/database.js';
import { MigrationRefused, type SqliteSource } from './sqlite-source.js';
import { AUDIT_TABLES, convert, DOMAIN_TABLES, type TableSpec } from './tables.js';

/**
 * The transaction-scoped advisory lock a migration holds on the target (class 'ARCA', object 3; 1 is the
 * schema migrations', 2 the scheduler leader's): two migrations into one database take turns, and the
 * second finds the target no longer empty.
 */
export const STORAGE_MIGRATION_LOCK = [MIGRATION_LOCK[0], 3] as const;

/** Rows per INSERT statement: at most 14 columns a table, so far below PostgreSQL's 65,535 parameters. */
const DEFAULT_PAGE = 500;

/** The audit chain the SQLite trail became: the node name a PostgreSQL-backed server must run as to continue it. */
export interface CopiedChain {
  readonly node: string;
  readonly chainId: string;
}

export interface CopyResult {
  /** Absent when the source never wrote an audit event (it has no chain id yet). */
  readonly chain: CopiedChain | undefined;
  /** Rows copied per table, in copy order. */
  readonly copied: readonly { readonly table: string; readonly rows: number }[];
}

export interface CopyOptions {
  /** The node name the copied chain is filed under (`audit_chains.node`); default: the SQLite trail's chain id. */
  readonly node?: string | undefined;
  /** Rows per INSERT (tests use small pages to cover paging). */
  readonly pageSize?: number | undefined;
}

/** PostgreSQL tables that hold the running nodes' state (heartbeats), not data: never copied, not required empty. */
export const RUNTIME_TABLES: readonly string[] = ['cluster_nodes'];

/** Every table of the target a migration needs empty (the copied ones, and the audit chains). */
export const TARGET_TABLES: readonly string[] = [...DOMAIN_TABLES.map((t) => t.table), 'audit_chains', ...AUDIT_TABLES.map((t) => t.table)];

/**
 * Copies every row of `source` into `pg` (already migrated) in ONE PostgreSQL transaction: all or nothing.
 * Refuses with {@link MigrationRefused} (nothing written) when any target table has a row. Tables go
 * parents first, each with explicit column lists and conversions (tables.ts); identity columns keep their
 * values and their sequences move past them; the SQLite trail becomes one chain, its rows verbatim.
 */
export async function copySqliteToPostgres(source: SqliteSource, pg: PostgresDatabase, options: CopyOptions = {}): Promise<CopyResult> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE;
  const chainId = source.chainId();
  const auditRows = AUDIT_TABLES.reduce((n, t) => n + source.count(t), 0);
  if (chainId === undefined && auditRows > 0) throw new MigrationRefused(`${source.path} has audit rows but no chain id in audit_meta: the trail cannot be copied verifiably`);
  return pg.transactions.run(async () => {
    await pg.db.query('SELECT pg_advisory_xact_lock($1, $2)', [...STORAGE_MIGRATION_LOCK]);
    const occupied = await nonEmptyTables(pg);
    if (occupied.length > 0) throw new MigrationRefused(`the target database is not empty (rows in ${occupied.join(', ')}): migrate only into a new, empty database`);
    const copied: { table: string; rows: number }[] = [];
    for (const spec of DOMAIN_TABLES) copied.push({ table: spec.table, rows: await copyTable(source, pg, spec, undefined, pageSize) });
    if (chainId === undefined) return { chain: undefined, copied };
    const chain = { node: options.node ?? chainId, chainId };
    await pg.db.query('INSERT INTO audit_chains (node, chain_id) VALUES ($1, $2)', [chain.node, chain.chainId]);
    copied.push({ table: 'audit_chains', rows: 1 });
    for (const spec of AUDIT_TABLES) copied.push({ table: spec.table, rows: await copyTable(source, pg, spec, chainId, pageSize) });
    return { chain, copied };
  });
}

/** The target tables that hold any row (a migration refuses to run into them). */
export async function nonEmptyTables(pg: PostgresDatabase): Promise<string[]> {
  const found: string[] = [];
  // Table names come from the constant specs, never from input.
  for (const table of TARGET_TABLES) if ((await pg.db.query(`SELECT 1 FROM ${table} LIMIT 1`)).rows.length > 0) found.push(table);
  return found;
}

async function copyTable(source: SqliteSource, pg: PostgresDatabase, spec: TableSpec, chainId: string | undefined, pageSize: number): Promise<number> {
  const columns = [...(spec.chained ? ['chain_id'] : []), ...Object.keys(spec.columns)];
  const kinds = Object.entries(spec.columns);
  const overriding = spec.identity !== undefined ? ' OVERRIDING SYSTEM VALUE' : '';
  let rows = 0;
  for (const page of source.pages(spec, pageSize)) {
    const params: unknown[] = [];
    const tuples = page.map((row) => {
      const first = params.length;
      if (spec.chained) params.push(chainId);
      for (const [column, kind] of kinds) params.push(convert(kind, row[column], `${spec.table}.${column}`));
      return `(${columns.map((_, i) => `$${first + i + 1}`).join(', ')})`;
    });
    await pg.db.query(`INSERT INTO ${spec.table} (${columns.join(', ')})${overriding} VALUES ${tuples.join(', ')}`, params);
    rows += page.length;
  }
  if (spec.identity !== undefined && rows > 0) {
    // The next generated value follows the largest copied one, so new rows keep creation order.
    await pg.db.query(`SELECT setval(pg_get_serial_sequence('${spec.table}', '${spec.identity}'), (SELECT MAX(${spec.identity}) FROM ${spec.table}))`);
  }
  return rows;
}

/** A table's row count in the target (an audit table's: the chain's rows only). */
export async function targetCount(pg: PostgresDatabase, spec: TableSpec, chainId: string | undefined): Promise<number> {
  const r = spec.chained
    ? await pg.db.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM ${spec.table} WHERE chain_id = $1`, [chainId ?? ''])
    : await pg.db.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM ${spec.table}`);
  return r.rows[0]?.n ?? 0;
}
