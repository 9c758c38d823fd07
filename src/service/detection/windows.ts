/**
 * The detector's bounded state: sliding-window counters of fixed size, and a map that forgets its least
 * recently used entries past a capacity. Whatever callers send, the detector's memory is at most
 * `capacity` entries of constant size per rule.
 */

/** Sub-buckets per window: a count is exact to within one sub-bucket's span (window / 12). */
export const WINDOW_BUCKETS = 12;
/** Slots kept: the window's buckets and the one it partly covers at its old end. */
const SLOTS = WINDOW_BUCKETS + 1;

/**
 * Counts events in the last `windowMs` (a sliding window over {@link WINDOW_BUCKETS} buckets). An event
 * counts until its bucket has wholly left the window, so a count never misses an event inside the window
 * and may include events up to `windowMs / WINDOW_BUCKETS` older than it.
 */
export class SlidingWindowCounter {
  readonly #span: number;
  /** Bucket index (time / span) of each slot's count. */
  readonly #index: number[] = new Array<number>(SLOTS).fill(-1);
  readonly #counts: number[] = new Array<number>(SLOTS).fill(0);

  constructor(readonly windowMs: number) {
    this.#span = Math.max(1, Math.ceil(windowMs / WINDOW_BUCKETS));
  }

  /** Counts one event at `now` (ms) and answers how many the window holds, this one included. */
  add(now: number, n = 1): number {
    const index = Math.floor(now / this.#span);
    const slot = index % SLOTS;
    if (this.#index[slot] !== index) {
      this.#index[slot] = index;
      this.#counts[slot] = 0;
    }
    this.#counts[slot] = (this.#counts[slot] ?? 0) + n;
    return this.count(now);
  }

  /** The events in the window ending at `now`. */
  count(now: number): number {
    const newest = Math.floor(now / this.#span);
    let total = 0;
    for (let slot = 0; slot < SLOTS; slot++) {
      const index = this.#index[slot] ?? -1;
      // The bucket holding `now - windowMs` counts whole: nothing inside the window is missed.
      if (index >= newest - WINDOW_BUCKETS && index <= newest) total += this.#counts[slot] ?? 0;
    }
    return total;
  }

  /** Forgets every event (after an alert, so that the next one needs a full window again). */
  reset(): void {
    this.#index.fill(-1);
    this.#counts.fill(0);
  }
}

/** A map of at most `capacity` entries that forgets the least recently used one to make room. */
export class BoundedMap<K, V> {
  readonly #entries = new Map<K, V>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.#entries.size;
  }

  /** The entry for `key`, made by `create` if absent; either way it becomes the most recently used. */
  getOrCreate(key: K, create: () => V): V {
    const found = this.#entries.get(key);
    if (found !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, found);
      return found;
    }
    const made = create();
    this.set(key, made);
    return made;
  }

  get(key: K): V | undefined {
    return this.#entries.get(key);
  }

  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    // Map iteration is insertion order: the first entry is the least recently used.
    while (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }

  delete(key: K): boolean {
    return this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  values(): IterableIterator<V> {
    return this.#entries.values();
  }
}
