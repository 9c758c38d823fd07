import { checkpointText, treeHeadSigningBytes, type AuditEvent, type TreeHead } from '../core/audit.js';
import type { AuditRows } from '../core/audit-rows.js';
import type { AuditObserver } from '../core/observability.js';
import type { AuditLog, AuditSigningKeyStore, Clock, Logger, StorageHealth, TreeHeadSigner, WrappedSecret } from '../core/ports.js';
import { BUSY, type Busy, type UnitOfWork, type UnitTx } from '../core/unit-of-work.js';
import { MerkleFrontier } from '../crypto/merkle.js';
import { writeEvents } from './write-event.js';

interface Pending {
  event: AuditEvent;
  resolve: (e: AuditEvent) => void;
  reject: (e: unknown) => void;
}

/** The writer's settings (durability is the store's: see its UnitOfWork). */
export interface AuditWriterOptions {
  readonly clock: Clock;
  readonly logger?: Logger | undefined;
  /** Sign a tree head once this many events are not covered by one (default 1000). */
  readonly checkpointEvery?: number | undefined;
  /**
   * Other processes append to this trail too (the workers of `arca dev --workers`): a group commit that
   * finds the write lock taken puts its batch back and tries again a millisecond later, instead of
   * waiting in the store's busy handler, which blocks the event loop.
   */
  readonly sharedWriters?: boolean | undefined;
  /** Told the outcome of every commit (readiness, `/readyz`). */
  readonly health?: StorageHealth | undefined;
  /** Told how long each durable commit took (metrics). */
  readonly observer?: AuditObserver | undefined;
}

/**
 * The AuditLog port over a store's {@link UnitOfWork} and {@link AuditRows}, with group commit: events
 * appended while a commit is being prepared are written together in one transaction (one sync), and
 * every `append` resolves only after the transaction holding its event is durable; a failed commit
 * rejects every append in it.
 *
 * Each event gets its gap-free `sequence`, the trail's `chainId` and its RFC 9162 leaf hash as it is
 * committed; the writer keeps the tree's right edge in memory and signs a tree head every
 * `checkpointEvery` events and whenever {@link checkpoint} is called (timer, shutdown).
 *
 * No deadlock by construction: nothing the writer runs inside a unit of work waits for its append
 * queue. Appends made while a unit runs (from inside it or not) are queued and committed after it.
 */
export class AuditWriter implements AuditLog, AuditSigningKeyStore {
  readonly #uow: UnitOfWork;
  readonly #rows: AuditRows;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #every: number;
  readonly #chainId: string;
  #frontier: MerkleFrontier;
  #lastHeadSize: number;
  #signer: TreeHeadSigner | undefined;
  #queue: Pending[] = [];
  #scheduled = false;
  /** Shared writers: the write lock was taken at the last try; a retry is due on a timer. */
  #waitingForLock = false;
  readonly #sharedWriters: boolean;
  readonly #health: StorageHealth | undefined;
  readonly #observer: AuditObserver | undefined;
  /** Held by `runAudited` (and by nothing else): while set, group commits wait. */
  #lock: Promise<void> = Promise.resolve();
  #locked = false;
  #syncing = false;
  /** A group commit's transaction is open (its statements may be on their way to the store). */
  #flushing = false;
  /** The stored tree-head public key, for the read side's synchronous `publicKey()` before a signer is attached. */
  #storedPublicKey: Buffer | undefined;
  #syncWaiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];

  private constructor(uow: UnitOfWork, rows: AuditRows, options: AuditWriterOptions, start: { chainId: string; frontier: MerkleFrontier; lastHeadSize: number; publicKey: Buffer | undefined }) {
    this.#uow = uow;
    this.#rows = rows;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#sharedWriters = options.sharedWriters === true;
    this.#health = options.health;
    this.#observer = options.observer;
    this.#every = options.checkpointEvery ?? 1000;
    this.#chainId = start.chainId;
    this.#frontier = start.frontier;
    this.#lastHeadSize = start.lastHeadSize;
    this.#storedPublicKey = start.publicKey;
  }

  /** Reads the trail's state back from the store (upgrading events that predate the verifiable trail first). */
  static async open(uow: UnitOfWork, rows: AuditRows, options: AuditWriterOptions): Promise<AuditWriter> {
    const chainId = await rows.chainId();
    const legacy = await rows.legacyEvents();
    if (legacy !== undefined) {
      const frontier = new MerkleFrontier();
      await uow.runNow(async () => {
        await rows.clearEvents();
        await writeEvents(rows, chainId, legacy, frontier);
      });
    }
    const start = { chainId, frontier: await rows.frontier(), lastHeadSize: await rows.latestTreeHeadSize(), publicKey: (await rows.getSigningKey())?.publicKey };
    return new AuditWriter(uow, rows, options, start);
  }

  get chainId(): string {
    return this.#chainId;
  }

  /** Events committed so far (the current tree size). */
  get size(): number {
    return this.#frontier.size;
  }

  /** Events appended and not yet committed (the metrics' queue depth). */
  get queueDepth(): number {
    return this.#queue.length;
  }

  /** Releases the store's file handles (call before closing the store, after the last append resolved). */
  close(): void {
    this.#uow.close();
  }

  /** Starts signing tree heads (the signing key needs the unsealed key hierarchy). */
  attachSigner(signer: TreeHeadSigner | undefined): void {
    this.#signer = signer;
  }

  append(event: AuditEvent): Promise<void> {
    return this.appendEvent(event).then(() => undefined);
  }

  /** Like `append`, resolving with the event as recorded (with its `arca` fields). */
  appendEvent(event: AuditEvent): Promise<AuditEvent> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ event, resolve, reject });
      this.#schedule();
    });
  }

  async runAudited(work: (tx: UnitTx) => Promise<{ readonly event: AuditEvent; readonly keep: boolean }>): Promise<void> {
    const previous = this.#lock;
    let release = (): void => undefined;
    this.#lock = new Promise<void>((r) => (release = r));
    await previous;
    this.#locked = true;
    try {
      // Events appended before this unit commit first, in their own transaction (never starved by units).
      await this.#flush();
      let committed: MerkleFrontier | undefined;
      const observed = this.#observer?.commitStarted();
      try {
        await this.#uow.run(
          async (tx) => {
            const { event } = await tx.savepoint(() => work(tx));
            const frontier = this.#frontier.clone();
            await this.#catchUp(frontier);
            await this.#write(event, frontier);
            committed = frontier;
          },
          async () => {
            if (committed !== undefined) this.#advance(committed);
            await this.#durable();
          },
        );
      } catch (e) {
        this.#health?.noteFailure(e);
        throw e;
      }
      this.#health?.noteSuccess();
      observed?.(1);
      await this.#afterCommit();
    } finally {
      this.#locked = false;
      release();
      if (this.#queue.length > 0) this.#schedule();
    }
  }

  /** Whether a group commit may start now (no unit, no sync in progress, no retry pending). */
  #mayFlush(): boolean {
    return !this.#locked && !this.#uow.running && !this.#syncing && !this.#waitingForLock && !this.#flushing;
  }

  #schedule(): void {
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        // While a sync runs, events queue up and commit together once it ends (one commit per sync).
        if (this.#mayFlush()) void this.#flush();
      });
    }
  }

  /** Commits the queued events as one batch; resolves once the batch is committed (or put back, or failed). */
  async #flush(): Promise<void> {
    const batch = this.#queue;
    if (batch.length === 0 || this.#uow.running || this.#flushing) return;
    this.#queue = [];
    this.#flushing = true;
    const frontier = this.#frontier.clone();
    const observed = this.#observer?.commitStarted();
    const commit = async (): Promise<AuditEvent[]> => {
      await this.#catchUp(frontier);
      return writeEvents(this.#rows, this.#chainId, batch.map((p) => p.event), frontier);
    };
    let recorded: AuditEvent[] | Busy;
    try {
      recorded = this.#sharedWriters ? await this.#uow.tryNow(commit) : await this.#uow.runNow(commit);
    } catch (err) {
      this.#flushing = false;
      this.#health?.noteFailure(err);
      for (const p of batch) p.reject(err);
      this.#reschedule();
      return;
    }
    this.#flushing = false;
    if (recorded === BUSY) {
      // Another writer is committing: nothing was written; keep the batch (first) and retry shortly.
      this.#queue = batch.concat(this.#queue);
      this.#waitingForLock = true;
      setTimeout(() => {
        this.#waitingForLock = false;
        if (this.#mayFlush()) void this.#flush();
        else if (this.#queue.length > 0 && !this.#locked) this.#schedule();
      }, 1);
      return;
    }
    const events = recorded;
    this.#advance(frontier);
    await this.#afterCommit();
    this.#reschedule();
    const lone = batch.length === 1 ? batch[0] : undefined;
    if (lone !== undefined) {
      try {
        if (this.#syncInline()) {
          this.#health?.noteSuccess();
          observed?.(1);
          return lone.resolve(events[0] as AuditEvent);
        }
      } catch (err) {
        this.#health?.noteFailure(err);
        return lone.reject(err);
      }
    }
    // The next batch may commit while this one's sync runs: a later sync also covers every earlier
    // commit, and each answer waits for one started after its own.
    this.#durable().then(
      () => {
        this.#health?.noteSuccess();
        observed?.(batch.length);
        batch.forEach((p, i) => p.resolve(events[i] as AuditEvent));
      },
      (err: unknown) => {
        this.#health?.noteFailure(err);
        batch.forEach((p) => p.reject(err));
      },
    );
  }

  /** Events appended while a batch was committing wait for the next turn. */
  #reschedule(): void {
    if (this.#queue.length > 0 && !this.#locked) this.#schedule();
  }

  /** Moves the in-memory tree to a committed one, never backwards (commits can finish out of order). */
  #advance(frontier: MerkleFrontier): void {
    if (frontier.size >= this.#frontier.size) this.#frontier = frontier;
  }

  /**
   * A lone event with no sync running (a quiet server): sync right here, on the event loop, which saves
   * the round trip through the thread pool; nothing else is waiting to run meanwhile. Under load batches
   * hold several events and sync off the loop. Throws when the sync fails.
   */
  #syncInline(): boolean {
    if (!this.#uow.syncsAfterCommit || this.#syncing || this.#syncWaiters.length > 0 || this.#queue.length > 0) return false;
    this.#uow.syncNow();
    return true;
  }

  /**
   * Resolves once everything committed so far is durable. One sync runs at a time; the commits made
   * while it runs wait for the next one, which covers them all (group sync).
   */
  #durable(): Promise<void> {
    if (!this.#uow.syncsAfterCommit) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#syncWaiters.push({ resolve, reject });
      this.#startSync();
    });
  }

  #startSync(): void {
    if (this.#syncing || this.#syncWaiters.length === 0) return;
    const covered = this.#syncWaiters;
    this.#syncWaiters = [];
    this.#syncing = true;
    const done = (err: unknown): void => {
      this.#syncing = false;
      for (const w of covered) {
        if (err !== undefined) w.reject(err);
        else w.resolve();
      }
      this.#startSync();
      if (this.#mayFlush() && this.#queue.length > 0) void this.#flush();
    };
    this.#uow.sync().then(() => done(undefined), (err: unknown) => done(err ?? new Error('sync failed')));
  }

  /**
   * Brings `frontier` up to the events other processes sharing the store appended (inside the caller's
   * write transaction, so nothing can be appended meanwhile).
   */
  async #catchUp(frontier: MerkleFrontier): Promise<void> {
    for (const r of await this.#rows.leavesAfter(frontier.size)) {
      if (r.sequence !== frontier.size + 1) throw new Error(`the audit trail has a gap before sequence ${r.sequence}`);
      frontier.append(r.leafHash);
    }
  }

  /** Inserts one event at the next position of `frontier` (inside the caller's transaction). */
  async #write(draft: AuditEvent, frontier: MerkleFrontier): Promise<AuditEvent> {
    const [recorded] = await writeEvents(this.#rows, this.#chainId, [draft], frontier);
    return recorded as AuditEvent;
  }

  /** Signs a tree head when enough events are not covered by one (skipped while a unit holds the store). */
  async #afterCommit(): Promise<void> {
    if (this.#frontier.size - this.#lastHeadSize >= this.#every) await this.checkpoint();
  }

  /**
   * Signs and stores a tree head over every committed event, if any event is not yet covered by one.
   * Returns the new head (or undefined: nothing new, no signer yet, or the write failed and was logged;
   * the events themselves are already durable and the next checkpoint covers them).
   */
  async checkpoint(): Promise<TreeHead | undefined> {
    const signer = this.#signer;
    if (signer === undefined || !this.#uow.available || this.#locked || this.#uow.running) return undefined;
    try {
      // Under the write lock: the tree is exactly the store's, whichever process appended to it.
      return await this.#uow.runNow(async (): Promise<TreeHead | undefined> => {
        const frontier = this.#frontier.clone();
        await this.#catchUp(frontier);
        this.#advance(frontier);
        const size = frontier.size;
        this.#lastHeadSize = await this.#rows.latestTreeHeadSize();
        if (size === this.#lastHeadSize) return undefined;
        const unsigned = { chainId: this.#chainId, treeSize: size, rootHash: frontier.root().toString('hex'), timestamp: this.#clock.now().toISOString() };
        const signature = signer.sign(treeHeadSigningBytes(unsigned));
        const checkpointSignature = signer.sign(Buffer.from(checkpointText(unsigned), 'utf8'));
        await this.#rows.insertTreeHead({ treeSize: size, rootHash: Buffer.from(unsigned.rootHash, 'hex'), timestamp: unsigned.timestamp, signature, checkpointSignature });
        this.#lastHeadSize = size;
        return { ...unsigned, signature: signature.toString('base64') };
      });
    } catch (e) {
      this.#logger?.error('audit tree head could not be stored', { error: String(e) });
      return undefined;
    }
  }

  /**
   * Retention: drops the bodies of events older than `before` (ISO time), keeping their sequence and
   * leaf hash, so every tree head still verifies and every remaining event can still be proven.
   */
  async prune(before: string): Promise<number> {
    if (this.#locked || this.#uow.running) return 0;
    return this.#rows.prune(before);
  }

  getSigningKey(): Promise<{ publicKey: Buffer; wrapped: WrappedSecret } | undefined> {
    return this.#rows.getSigningKey();
  }

  async putSigningKey(publicKey: Buffer, wrapped: WrappedSecret): Promise<void> {
    await this.#rows.putSigningKey(publicKey, wrapped);
    this.#storedPublicKey = publicKey;
  }

  /** The stored tree-head public key (undefined until one was generated). */
  get storedPublicKey(): Buffer | undefined {
    return this.#storedPublicKey;
  }

  /** Events, oldest first (tests and the export use the trail's query side). */
  list(limit = 1000): Promise<AuditEvent[]> {
    return this.#rows.list(limit);
  }
}
