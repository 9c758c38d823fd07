/**
 * The state of the in-memory store (`store/memory/`): named tables of immutable rows, and the one
 * transaction the memory `UnitOfWork` runs work in.
 *
 * Rows are never mutated in place: a change replaces the row (`set`) or removes it (`delete`). That makes
 * a snapshot cheap — a shallow copy of each table's Map — and a rollback exact: `rollback` puts the
 * snapshot's Maps back. Adapters freeze the rows they store so that a caller cannot change a stored row by
 * keeping a reference to it.
 *
 * Used by the contract suites (`store/contract/`) and the in-memory pipeline harness; not a production
 * store (nothing is durable).
 */
export class MemoryDatabase {
  readonly #tables = new Map<string, Map<string, unknown>>();
  #snapshots: Map<string, Map<string, unknown>>[] = [];

  /** The table `name`, created empty on first use. Keys are the adapter's primary keys as strings. */
  table<Row>(name: string): Map<string, Row> {
    let t = this.#tables.get(name);
    if (t === undefined) {
      t = new Map();
      this.#tables.set(name, t);
    }
    return t as Map<string, Row>;
  }

  /** Whether a transaction (or savepoint) is open. */
  get inTransaction(): boolean {
    return this.#snapshots.length > 0;
  }

  /** Opens a transaction, or a savepoint inside the open one: remembers every table as it is now. */
  begin(): void {
    const snapshot = new Map<string, Map<string, unknown>>();
    for (const [name, rows] of this.#tables) snapshot.set(name, new Map(rows));
    this.#snapshots.push(snapshot);
  }

  /** Keeps the changes made since the matching `begin`. */
  commit(): void {
    if (this.#snapshots.pop() === undefined) throw new Error('commit without begin');
  }

  /** Undoes every change made since the matching `begin` (tables created since then are emptied). */
  rollback(): void {
    const snapshot = this.#snapshots.pop();
    if (snapshot === undefined) throw new Error('rollback without begin');
    for (const [name, rows] of this.#tables) {
      const before = snapshot.get(name);
      rows.clear();
      if (before !== undefined) for (const [k, v] of before) rows.set(k, v);
    }
  }

  /** Runs `work` in a transaction (a savepoint when one is open): committed if it returns, rolled back if it throws. */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    this.begin();
    try {
      const result = await work();
      this.commit();
      return result;
    } catch (e) {
      this.rollback();
      throw e;
    }
  }
}
