import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BackupRefused } from '../../core/backup-file.js';
import { openDatabase } from '../sqlite/database.js';
import type { PostgresDatabase } from '../postgres/database.js';
import { nonEmptyTables, STORAGE_MIGRATION_LOCK } from '../migrate/copy-to-postgres.js';
import { SQLITE_FILE } from '../migrate/sqlite-source.js';
import type { TableSpec } from '../migrate/tables.js';
import { BACKUP_TABLES, fromNeutral, type Engine, type NeutralValue } from './neutral.js';
import type { ChainInfo } from './snapshot.js';

/**
 * What a restore writes: the chains, and every table's rows (neutral values). Restore asks for each
 * table once, in BACKUP_TABLES order, and reads its rows as they come (a backup payload is streamed:
 * never whole in memory), then awaits `finish` before it commits. A source whose rows are not yet
 * authenticated when handed out (a streamed GCM payload: its tag is at the end) throws from `finish`
 * unless everything it handed out was authentic and complete; the restore then rolls back.
 * A wrapper (a filter) delegates `finish`.
 */
export interface RestoreSource {
  readonly chains: readonly ChainInfo[];
  rowsOf(spec: TableSpec): AsyncIterable<readonly NeutralValue[]>;
  finish(): Promise<void>;
}

/** Rows written per table, in restore order. */
export type RestoredCounts = { readonly table: string; readonly rows: number }[];

function params(spec: TableSpec, row: readonly NeutralValue[], engine: Engine): unknown[] {
  const kinds = Object.entries(spec.columns);
  const offset = spec.chained ? 1 : 0;
  // A row of an older backup in another shape is rewritten into this one first.
  const values = row.length !== kinds.length + offset ? (spec.upgrade?.(row) ?? row) : row;
  // A backup made before a column was added lacks it (it is last): the row gets the column's default.
  const later = Object.keys(spec.addedLater ?? {});
  const missing = kinds.length + offset - values.length;
  const lacks = missing > 0 && missing <= later.length && kinds.slice(kinds.length - missing).every(([c]) => later.includes(c));
  if (values.length !== kinds.length + offset && !lacks) throw new BackupRefused(`a ${spec.table} row has ${values.length} values, the table ${kinds.length + offset}`);
  return kinds.map(([column, kind], i) => {
    const value = i + offset < values.length ? values[i + offset] : (spec.addedLater?.[column] as NeutralValue);
    return fromNeutral(kind, value ?? null, engine, `${spec.table}.${column}`);
  });
}

/**
 * Restores into a NEW SQLite data directory: refuses (nothing written) when `dataDir` already holds a
 * database, or when the backup holds more than one audit chain (a SQLite store has one trail). Every
 * row goes in ONE transaction, committed only after `source.finish()`; on any failure the new database
 * files are removed.
 */
export async function restoreIntoSqlite(dataDir: string, source: RestoreSource): Promise<RestoredCounts> {
  const path = join(dataDir, SQLITE_FILE);
  if (existsSync(path) || existsSync(`${path}-wal`)) throw new BackupRefused(`${path} exists: restore only into a new data directory (no arca.db)`);
  if (source.chains.length > 1) {
    throw new BackupRefused(`the backup holds ${source.chains.length} audit chains (a PostgreSQL cluster's nodes); a SQLite store holds one: restore into PostgreSQL`);
  }
  mkdirSync(dataDir, { recursive: true });
  const db = openDatabase(path);
  try {
    const counts = await withFreshSqliteTransaction(db, async () => {
      const written: RestoredCounts = [];
      const chain = source.chains[0];
      if (chain !== undefined) db.prepare("INSERT INTO audit_meta (name, value) VALUES ('chain_id', ?)").run(chain.chainId);
      for (const spec of BACKUP_TABLES) {
        const columns = Object.keys(spec.columns);
        // SQLite keeps its one trail signing key in row id 1.
        const withId = spec.table === 'audit_signing_keys';
        // Names from the constant specs only.
        const insert = db.prepare(`INSERT INTO ${spec.table} (${withId ? 'id, ' : ''}${columns.join(', ')}) VALUES (${withId ? '1, ' : ''}${columns.map(() => '?').join(', ')})`);
        let rows = 0;
        for await (const values of source.rowsOf(spec)) {
          insert.run(...params(spec, values, 'sqlite'));
          rows++;
        }
        written.push({ table: spec.table, rows });
      }
      for (const spec of BACKUP_TABLES) if (spec.afterRestore !== undefined) db.exec(spec.afterRestore);
      await source.finish();
      return written;
    });
    db.close();
    return counts;
  } catch (e) {
    if (db.open) db.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
    throw e;
  }
}

/**
 * One write transaction around async work, on a database this restore just created. better-sqlite3's
 * transaction wrapper cannot await (the rows arrive from a stream), so BEGIN IMMEDIATE and COMMIT are
 * explicit: safe here because nothing else holds this connection or this new file (no statement of
 * anyone else can fall inside the transaction), and on any failure it rolls back (and the caller
 * removes the files).
 */
async function withFreshSqliteTransaction<T>(db: ReturnType<typeof openDatabase>, work: () => Promise<T>): Promise<T> {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = await work();
    db.exec('COMMIT');
    return result;
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw e;
  }
}

const PG_PAGE = 500;

/**
 * Restores into an EMPTY PostgreSQL database (already migrated), in ONE transaction under the storage
 * migration lock: refuses (nothing written) when any table the restore fills has a row. Identity columns
 * keep their values and their sequences move past them. Commits only after `source.finish()`.
 */
export async function restoreIntoPostgres(pg: PostgresDatabase, source: RestoreSource): Promise<RestoredCounts> {
  return pg.transactions.run(async () => {
    await pg.db.query('SELECT pg_advisory_xact_lock($1, $2)', [...STORAGE_MIGRATION_LOCK]);
    const occupied = await nonEmptyTables(pg);
    if (occupied.length > 0) throw new BackupRefused(`the target database is not empty (rows in ${occupied.join(', ')}): restore only into a new, empty database`);
    const counts: RestoredCounts = [];
    let chainsWritten = false;
    for (const spec of BACKUP_TABLES) {
      if (spec.chained && !chainsWritten) {
        for (const c of source.chains) await pg.db.query('INSERT INTO audit_chains (node, chain_id) VALUES ($1, $2)', [c.node, c.chainId]);
        counts.push({ table: 'audit_chains', rows: source.chains.length });
        chainsWritten = true;
      }
      counts.push({ table: spec.table, rows: await insertPostgres(pg, spec, source.rowsOf(spec)) });
    }
    for (const spec of BACKUP_TABLES) if (spec.afterRestore !== undefined) await pg.db.query(spec.afterRestore);
    await source.finish();
    return counts;
  });
}

async function insertPostgres(pg: PostgresDatabase, spec: TableSpec, rows: AsyncIterable<readonly NeutralValue[]>): Promise<number> {
  const columns = [...(spec.chained ? ['chain_id'] : []), ...Object.keys(spec.columns)];
  const overriding = spec.identity !== undefined ? ' OVERRIDING SYSTEM VALUE' : '';
  let n = 0;
  let values: unknown[] = [];
  let tuples: string[] = [];
  const flush = async () => {
    if (tuples.length === 0) return;
    await pg.db.query(`INSERT INTO ${spec.table} (${columns.join(', ')})${overriding} VALUES ${tuples.join(', ')}`, values);
    values = [];
    tuples = [];
  };
  for await (const row of rows) {
    const first = values.length;
    if (spec.chained) values.push(row[0]);
    values.push(...params(spec, row, 'postgres'));
    tuples.push(`(${columns.map((_, i) => `$${first + i + 1}`).join(', ')})`);
    n++;
    if (tuples.length === PG_PAGE) await flush();
  }
  await flush();
  if (spec.identity !== undefined && n > 0) {
    await pg.db.query(`SELECT setval(pg_get_serial_sequence('${spec.table}', '${spec.identity}'), (SELECT MAX(${spec.identity}) FROM ${spec.table}))`);
  }
  return n;
}
