import { assertNever } from '../../core/errors.js';
import { AUDIT_TABLES, DOMAIN_TABLES, type ColumnKind, type TableSpec } from '../migrate/tables.js';

/**
 * The engine-neutral value of a column in a backup (ADR 0016): text and ints as JSON strings and numbers,
 * times as epoch milliseconds, booleans, bytes as base64, integer arrays as arrays; `null` for NULL
 * (`bytesOrEmpty`: "" for none).
 */
export type NeutralValue = string | number | boolean | readonly number[] | null;

/** One line of a backup payload: a table and one row's values in the spec's column order (audit tables: chain id first). */
export interface NeutralRow {
  readonly t: string;
  readonly r: readonly NeutralValue[];
}

/** Every table a backup holds, in restore order (parents first); the audit chains sit between. */
export const BACKUP_TABLES: readonly TableSpec[] = [...DOMAIN_TABLES, ...AUDIT_TABLES];

/** The spec of a table by name. */
export function specOf(table: string): TableSpec | undefined {
  return BACKUP_TABLES.find((t) => t.table === table);
}

function intOf(value: unknown, where: string): number {
  const n = typeof value === 'bigint' ? Number(value) : typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new Error(`${where}: not an integer`);
  return n;
}

function bytesOf(value: unknown, where: string): string {
  if (!Buffer.isBuffer(value)) throw new Error(`${where}: not bytes`);
  return value.toString('base64');
}

/** A value read from either engine (SQLite: ms, 0/1, JSON text; PostgreSQL: Date, boolean, arrays, BIGINT strings) made neutral. */
export function toNeutral(kind: ColumnKind, value: unknown, where: string): NeutralValue {
  if (value === null || value === undefined) return kind === 'bytesOrEmpty' ? '' : null;
  switch (kind) {
    case 'text':
      if (typeof value !== 'string') throw new Error(`${where}: not text`);
      return value;
    case 'int':
      return intOf(value, where);
    case 'time':
      return value instanceof Date ? value.getTime() : intOf(value, where);
    case 'bool':
      return value === true || value === 1 || value === 1n;
    case 'bytes':
    case 'bytesOrEmpty':
      return bytesOf(value, where);
    case 'intArray': {
      const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
      if (!Array.isArray(parsed)) throw new Error(`${where}: not an integer array`);
      return parsed.map((v) => intOf(v, where));
    }
    default:
      return assertNever(kind);
  }
}

/** The target engine of a restore. */
export type Engine = 'sqlite' | 'postgres';

/** A neutral value as the parameter for `engine`'s column of `kind`. */
export function fromNeutral(kind: ColumnKind, value: NeutralValue, engine: Engine, where: string): unknown {
  if (value === null) return null;
  switch (kind) {
    case 'text':
      if (typeof value !== 'string') throw new Error(`${where}: not text`);
      return value;
    case 'int':
      if (typeof value !== 'number') throw new Error(`${where}: not an integer`);
      return value;
    case 'time':
      if (typeof value !== 'number') throw new Error(`${where}: not a time`);
      return engine === 'postgres' ? new Date(value) : value;
    case 'bool':
      if (typeof value !== 'boolean') throw new Error(`${where}: not a boolean`);
      return engine === 'postgres' ? value : value ? 1 : 0;
    case 'bytes':
    case 'bytesOrEmpty': {
      if (typeof value !== 'string') throw new Error(`${where}: not base64`);
      const bytes = Buffer.from(value, 'base64');
      // SQLite keeps a head signed before checkpoint signatures with NULL (tables.ts).
      return kind === 'bytesOrEmpty' && bytes.length === 0 && engine === 'sqlite' ? null : bytes;
    }
    case 'intArray':
      if (!Array.isArray(value)) throw new Error(`${where}: not an integer array`);
      return engine === 'postgres' ? value : JSON.stringify(value);
    default:
      return assertNever(kind);
  }
}
