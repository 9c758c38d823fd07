import { canonicalEventText, checkpointText, recordedEventText, treeHeadSigningBytes, type AuditEvent, type TreeHead } from '../core/audit.js';
import type { AuditRows } from '../core/audit-rows.js';
import type { AuditObserver } from '../core/observability.js';
import type { AuditLog, AuditSigningKeyStore, Clock, Logger, StorageHealth, TreeHeadSigner, WrappedSecret } from '../core/ports.js';
import { BUSY, type Busy, type UnitOfWork, type UnitTx } from '../core/unit-of-work.js';
import { leafHash, MerkleFrontier } from '../crypto/merkle.js';

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
  #syncWaiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];

  constructor(uow: UnitOfWork, rows: AuditRows, options: AuditWriterOptions) {
    this.#uow = uow;
    this.#rows = rows;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#sharedWriters = options.sharedWriters === true;
    this.#health = options.health;
    this.#observer = options.observer;
    this.#every = options.checkpointEvery ?? 1000;
    this.#chainId = rows.chainId();
    this.#upgradeLegacyEvents();
    this.#frontier = rows.frontier();
    this.#lastHeadSize = rows.latestTreeHeadSize();
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
      this.#flush();
      let committed: MerkleFrontier | undefined;
      const observed = this.#observer?.commitStarted();
      try {
        await this.#uow.run(
          async (tx) => {
            const { event } = await tx.savepoint(() => work(tx));
            const frontier = this.#frontier.clone();
            this.#catchUp(frontier);
            this.#write(event, frontier);
            committed = frontier;
          },
          async () => {
            if (committed !== undefined) this.#frontier = committed;
            await this.#durable();
          },
        );
      } catch (e) {
        this.#health?.noteFailure(e);
        throw e;
      }
      this.#health?.noteSuccess();
      observed?.(1);
      this.#afterCommit();
    } finally {
      this.#locked = false;
      release();
      if (this.#queue.length > 0) this.#schedule();
    }
  }

  /** Whether a group commit may start now (no unit, no sync in progress, no retry pending). */
  #mayFlush(): boolean {
    return !this.#locked && !this.#uow.running && !this.#syncing && !this.#waitingForLock;
  }

  #schedule(): void {
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        // While a sync runs, events queue up and commit together once it ends (one commit per sync).
        if (this.#mayFlush()) this.#flush();
      });
    }
  }

  #flush(): void {
    const batch = this.#queue;
    if (batch.length === 0 || this.#uow.running) return;
    this.#queue = [];
    const frontier = this.#frontier.clone();
    const observed = this.#observer?.commitStarted();
    const commit = (): AuditEvent[] => {
      this.#catchUp(frontier);
      return batch.map((p) => this.#write(p.event, frontier));
    };
    let recorded: AuditEvent[] | Busy;
    try {
      recorded = this.#sharedWriters ? this.#uow.tryNow(commit) : this.#uow.runNow(commit);
    } catch (err) {
      this.#health?.noteFailure(err);
      for (const p of batch) p.reject(err);
      return;
    }
    if (recorded === BUSY) {
      // Another writer is committing: nothing was written; keep the batch (first) and retry shortly.
      this.#queue = batch.concat(this.#queue);
      this.#waitingForLock = true;
      setTimeout(() => {
        this.#waitingForLock = false;
        if (this.#mayFlush()) this.#flush();
        else if (this.#queue.length > 0 && !this.#locked) this.#schedule();
      }, 1);
      return;
    }
    const events = recorded;
    this.#frontier = frontier;
    this.#afterCommit();
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
      if (this.#mayFlush() && this.#queue.length > 0) this.#flush();
    };
    this.#uow.sync().then(() => done(undefined), (err: unknown) => done(err ?? new Error('sync failed')));
  }

  /**
   * Brings `frontier` up to the events other processes sharing the store appended (inside the caller's
   * write transaction, so nothing can be appended meanwhile).
   */
  #catchUp(frontier: MerkleFrontier): void {
    for (const r of this.#rows.leavesAfter(frontier.size)) {
      if (r.sequence !== frontier.size + 1) throw new Error(`the audit trail has a gap before sequence ${r.sequence}`);
      frontier.append(r.leafHash);
    }
  }

  /** Inserts one event at the next position of `frontier` (inside the caller's transaction). */
  #write(draft: AuditEvent, frontier: MerkleFrontier): AuditEvent {
    const sequence = frontier.size + 1;
    const arca = { sequence, chainId: this.#chainId, leafHash: '' };
    const e: AuditEvent = { ...draft, arca };
    const canonical = canonicalEventText(e);
    const leaf = leafHash(Buffer.from(canonical, 'utf8'));
    arca.leafHash = leaf.toString('hex');
    // Stored canonical (verifiers then hash the text as it is): no second serialization either.
    const body = recordedEventText(canonical, this.#chainId, arca.leafHash) ?? JSON.stringify(e);
    this.#rows.insertEvent({ sequence, event: e, leafHash: leaf, body });
    frontier.append(leaf, this.#insertNode);
    return e;
  }

  readonly #insertNode = (level: number, index: number, hash: Buffer): void => this.#rows.insertNode(level, index, hash);

  #afterCommit(): void {
    if (this.#frontier.size - this.#lastHeadSize >= this.#every) this.checkpoint();
  }

  /**
   * Signs and stores a tree head over every committed event, if any event is not yet covered by one.
   * Returns the new head (or undefined: nothing new, no signer yet, or the write failed and was logged;
   * the events themselves are already durable and the next checkpoint covers them).
   */
  checkpoint(): TreeHead | undefined {
    const signer = this.#signer;
    if (signer === undefined || !this.#uow.available || this.#locked || this.#uow.running) return undefined;
    try {
      // Under the write lock: the tree is exactly the store's, whichever process appended to it.
      return this.#uow.runNow((): TreeHead | undefined => {
        const frontier = this.#frontier.clone();
        this.#catchUp(frontier);
        this.#frontier = frontier;
        const size = frontier.size;
        this.#lastHeadSize = this.#rows.latestTreeHeadSize();
        if (size === this.#lastHeadSize) return undefined;
        const unsigned = { chainId: this.#chainId, treeSize: size, rootHash: frontier.root().toString('hex'), timestamp: this.#clock.now().toISOString() };
        const signature = signer.sign(treeHeadSigningBytes(unsigned));
        const checkpointSignature = signer.sign(Buffer.from(checkpointText(unsigned), 'utf8'));
        this.#rows.insertTreeHead({ treeSize: size, rootHash: Buffer.from(unsigned.rootHash, 'hex'), timestamp: unsigned.timestamp, signature, checkpointSignature });
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
  prune(before: string): number {
    if (this.#locked || this.#uow.running) return 0;
    return this.#rows.prune(before);
  }

  getSigningKey(): { publicKey: Buffer; wrapped: WrappedSecret } | undefined {
    return this.#rows.getSigningKey();
  }

  putSigningKey(publicKey: Buffer, wrapped: WrappedSecret): void {
    this.#rows.putSigningKey(publicKey, wrapped);
  }

  /** Events, oldest first (tests and the export use the trail's query side). */
  list(limit = 1000): AuditEvent[] {
    return this.#rows.list(limit);
  }

  /** Gives events written before the verifiable trail existed their sequence, chain id and leaf hash. */
  #upgradeLegacyEvents(): void {
    const legacy = this.#rows.legacyEvents();
    if (legacy === undefined) return;
    const frontier = new MerkleFrontier();
    this.#uow.runNow(() => {
      this.#rows.clearEvents();
      for (const e of legacy) this.#write(e, frontier);
    });
  }
}
