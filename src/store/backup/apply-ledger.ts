import type { LedgerEntry } from '../../core/destruction-ledger.js';
import type { TableSpec } from '../migrate/tables.js';
import type { NeutralValue } from './neutral.js';
import type { RestoreSource } from './restore.js';

/** A key a restore wrote as destroyed because a destruction ledger names it, though the backup still held it live. */
export interface KeyRestoredAsDestroyed {
  readonly keyId: string;
  readonly keyArn: string;
  /** When the live site destroyed it (ISO 8601). */
  readonly destroyedAt: string;
  /** Material rows of the backup left out (its key versions). */
  readonly versionsSkipped: number;
  /** Aliases of the backup left out (destroyKey deletes them). */
  readonly aliasesSkipped: number;
}

/** What applying the ledgers did, known once the restore has read every row. */
export interface LedgerOutcome {
  /** Keys the backup held live, restored as destroyed. */
  readonly restoredAsDestroyed: readonly KeyRestoredAsDestroyed[];
  /** Ledger keys the backup already held as destroyed (its own destruction record): nothing to change. */
  readonly alreadyDestroyed: readonly string[];
  /** Ledger keys the backup does not hold (made after it): nothing to restore. */
  readonly notInBackup: readonly string[];
}

/**
 * Merges the entries of several ledgers by key id (the same key in two ledgers: the earlier destruction,
 * the union of the versions).
 */
export function mergeLedgerEntries(ledgers: readonly (readonly LedgerEntry[])[]): Map<string, LedgerEntry> {
  const merged = new Map<string, LedgerEntry>();
  for (const entry of ledgers.flat()) {
    const seen = merged.get(entry.keyId);
    if (seen === undefined) merged.set(entry.keyId, entry);
    else {
      const first = Date.parse(entry.destroyedAt) < Date.parse(seen.destroyedAt) ? entry : seen;
      merged.set(entry.keyId, { ...first, versions: [...new Set([...seen.versions, ...entry.versions])].sort((a, b) => a - b) });
    }
  }
  return merged;
}

function indexOf(spec: TableSpec, column: string): number {
  const i = Object.keys(spec.columns).indexOf(column);
  if (i < 0) throw new Error(`${spec.table} has no column ${column}`);
  return i + (spec.chained ? 1 : 0);
}

/**
 * A RestoreSource that restores every key a destruction ledger names AS DESTROYED (issue 15, "destroyed
 * stays destroyed"), in exactly the state the live site's `destroyKey` leaves: no `key_versions` rows
 * (material), no aliases, no rotation settings, the key row with the live state, primary version,
 * deletion date and `destroyed_at` (the tombstone), and its `key_destructions` record. Every other row, and every audit
 * table, passes through untouched, so the restored trails verify.
 *
 * It reads the inner source's tables in the order asked (BACKUP_TABLES: `keys` before its children,
 * `key_destructions` after them), one pass each, so it composes with a streaming source. The outcome
 * ({@link LedgerFilter.outcome}) is complete once every table has been read.
 */
export class LedgerFilter implements RestoreSource {
  readonly #inner: RestoreSource;
  readonly #entries: ReadonlyMap<string, LedgerEntry>;
  /** Ledger keys the backup holds live (rewritten), with what was dropped of each. */
  readonly #rewritten = new Map<string, { versions: number; aliases: number }>();
  readonly #already = new Set<string>();
  /** Keys rewritten whose destruction record the backup already holds. */
  readonly #recorded = new Set<string>();

  constructor(inner: RestoreSource, entries: ReadonlyMap<string, LedgerEntry>) {
    this.#inner = inner;
    this.#entries = entries;
  }

  get chains(): RestoreSource['chains'] {
    return this.#inner.chains;
  }

  async *rowsOf(spec: TableSpec): AsyncIterable<readonly NeutralValue[]> {
    const rows = this.#inner.rowsOf(spec);
    switch (spec.table) {
      case 'keys':
        return yield* this.#keys(spec, rows);
      case 'key_versions':
        return yield* this.#drop(spec, rows, 'key_id', (s) => s.versions++);
      case 'aliases':
        return yield* this.#drop(spec, rows, 'key_id', (s) => s.aliases++);
      case 'key_rotation':
        return yield* this.#drop(spec, rows, 'key_id', () => undefined);
      case 'key_destructions':
        return yield* this.#destructions(spec, rows);
      default:
        return yield* rows;
    }
  }

  finish(): Promise<void> {
    return this.#inner.finish();
  }

  async *#keys(spec: TableSpec, rows: AsyncIterable<readonly NeutralValue[]>): AsyncIterable<readonly NeutralValue[]> {
    const at = (column: string) => indexOf(spec, column);
    const [id, state, primary, deletionDate, destroyedAt] = [at('id'), at('state'), at('primary_version'), at('deletion_date'), at('destroyed_at')];
    for await (const row of rows) {
      const entry = this.#entries.get(String(row[id]));
      if (entry === undefined) {
        yield row;
      } else if (row[destroyedAt] !== null) {
        // The backup's own destruction record stands (the backup was made after the destruction).
        this.#already.add(entry.keyId);
        yield row;
      } else {
        this.#rewritten.set(entry.keyId, { versions: 0, aliases: 0 });
        const out = [...row];
        const destroyed = Date.parse(entry.destroyedAt);
        out[state] = entry.state;
        if (entry.primaryVersion !== undefined) out[primary] = entry.primaryVersion;
        out[deletionDate] = entry.deletionDate === null ? destroyed : Date.parse(entry.deletionDate);
        out[destroyedAt] = destroyed;
        yield out;
      }
    }
  }

  async *#drop(spec: TableSpec, rows: AsyncIterable<readonly NeutralValue[]>, column: string, count: (s: { versions: number; aliases: number }) => void): AsyncIterable<readonly NeutralValue[]> {
    const key = indexOf(spec, column);
    for await (const row of rows) {
      const skipped = this.#rewritten.get(String(row[key]));
      if (skipped === undefined) yield row;
      else count(skipped);
    }
  }

  async *#destructions(spec: TableSpec, rows: AsyncIterable<readonly NeutralValue[]>): AsyncIterable<readonly NeutralValue[]> {
    const key = indexOf(spec, 'key_id');
    for await (const row of rows) {
      const id = String(row[key]);
      if (this.#rewritten.has(id)) this.#recorded.add(id);
      yield row;
    }
    const columns = Object.keys(spec.columns);
    for (const id of this.#rewritten.keys()) {
      const entry = this.#entries.get(id);
      if (entry === undefined || this.#recorded.has(id)) continue;
      const record: Record<string, NeutralValue> = { key_id: id, versions: [...entry.versions], destroyed_at: Date.parse(entry.destroyedAt) };
      yield columns.map((c) => record[c] ?? null);
    }
  }

  /** What the ledgers changed; complete once the restore has read every table. */
  outcome(): LedgerOutcome {
    const restoredAsDestroyed = [...this.#rewritten].map(([keyId, s]) => {
      const entry = this.#entries.get(keyId);
      return { keyId, keyArn: entry?.keyArn ?? keyId, destroyedAt: entry?.destroyedAt ?? '', versionsSkipped: s.versions, aliasesSkipped: s.aliases };
    });
    const notInBackup = [...this.#entries.keys()].filter((id) => !this.#rewritten.has(id) && !this.#already.has(id));
    return { restoredAsDestroyed, alreadyDestroyed: [...this.#already], notInBackup };
  }
}
