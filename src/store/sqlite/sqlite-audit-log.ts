import { canonicalEventText, checkpointText, recordedEventText, treeHeadSigningBytes, type AuditEvent, type TreeHead } from '../../core/audit.js';
import type { AuditLog, AuditSigningKeyStore, Clock, Logger, StorageHealth, TreeHeadSigner, WrappedSecret } from '../../core/ports.js';
import { leafHash, MerkleFrontier } from '../../crypto/merkle.js';
import { randomId } from '../../crypto/random.js';
import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';
import { transactionEnded, type SqliteDatabase } from './database.js';
import { SqliteMerkleNodes } from './sqlite-merkle-nodes.js';

interface Pending {
  event: AuditEvent;
  resolve: (e: AuditEvent) => void;
  reject: (e: unknown) => void;
}

export interface AuditLogOptions {
  readonly clock: Clock;
  readonly logger?: Logger | undefined;
  /** Sign a tree head once this many events are not covered by one (default 1000). */
  readonly checkpointEvery?: number | undefined;
  /**
   * How a commit is made durable (ADR 0005). `wal-fdatasync` (default): commit with `synchronous=NORMAL`,
   * then `fdatasync` the WAL file on the libuv thread pool, off the event loop, and resolve only then;
   * `sqlite-full`: `synchronous=FULL`, SQLite fsyncs inside the commit, on the event loop.
   */
  readonly durability?: 'wal-fdatasync' | 'sqlite-full' | undefined;
  /**
   * Other processes append to this trail too (the workers of `arca dev --workers`): a group commit that
   * finds the write lock taken puts its batch back and tries again a millisecond later, instead of
   * waiting in SQLite's busy handler, which sleeps with the event loop blocked.
   */
  readonly sharedWriters?: boolean | undefined;
  /** Told the outcome of every commit (readiness, `/readyz`). */
  readonly health?: StorageHealth | undefined;
}

/**
 * The AuditLog port on SQLite (`synchronous=FULL`), with group commit: events appended while a commit is
 * being prepared are written together in one transaction (one fsync), and every `append` resolves only
 * after the transaction holding its event has committed; a failed commit rejects every append in it.
 *
 * Each event gets its gap-free `sequence`, the trail's `chainId` and its RFC 9162 leaf hash as it is
 * committed; the writer keeps the tree's right edge in memory and signs a tree head every
 * `checkpointEvery` events and whenever {@link checkpoint} is called (timer, shutdown).
 */
export class SqliteAuditLog implements AuditLog, AuditSigningKeyStore {
  readonly #db: SqliteDatabase;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #every: number;
  readonly #insert;
  readonly #insertKey;
  readonly #newer;
  readonly #chainId: string;
  readonly #nodes: SqliteMerkleNodes;
  #frontier = new MerkleFrontier();
  #lastHeadSize = 0;
  #signer: TreeHeadSigner | undefined;
  #queue: Pending[] = [];
  #scheduled = false;
  /** Shared writers: the write lock was taken at the last try; a retry is due on a timer. */
  #waitingForLock = false;
  readonly #sharedWriters: boolean;
  readonly #health: StorageHealth | undefined;
  readonly #busyTimeout: number;
  /** Held by `atomically` (and by nothing else): while set, group commits wait. */
  #lock: Promise<void> = Promise.resolve();
  #locked = false;
  /** The WAL file, for `wal-fdatasync` (undefined: SQLite syncs itself, or an in-memory database). */
  #walFd: number | undefined;
  #syncing = false;
  #syncWaiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];

  constructor(db: SqliteDatabase, options: AuditLogOptions) {
    this.#db = db;
    const wal = !db.memory && String(db.pragma('journal_mode', { simple: true })).toLowerCase() === 'wal';
    if (wal && (options.durability ?? 'wal-fdatasync') === 'wal-fdatasync') {
      db.exec('CREATE TABLE IF NOT EXISTS audit_wal_probe (x); DROP TABLE audit_wal_probe'); // make sure the WAL file exists
      this.#walFd = openSync(`${db.name}-wal`, 'r');
    }
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#sharedWriters = options.sharedWriters === true;
    this.#health = options.health;
    this.#busyTimeout = Number(db.pragma('busy_timeout', { simple: true }));
    this.#every = options.checkpointEvery ?? 1000;
    this.#insert = db.prepare(
      'INSERT INTO audit_events (seq, event_id, event_time, event_name, request_id, error_code, body, leaf_hash, principal_arn, source_ip) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.#insertKey = db.prepare('INSERT OR IGNORE INTO audit_event_keys (key_arn, seq, ok) VALUES (?, ?, ?)');
    this.#newer = db.prepare<[number], { seq: number; leaf_hash: Buffer }>('SELECT seq, leaf_hash FROM audit_events WHERE seq > ? ORDER BY seq');
    this.#chainId = this.#loadChainId();
    this.#nodes = new SqliteMerkleNodes(db);
    this.#upgradeLegacyEvents();
    this.#frontier = this.#nodes.frontier();
    this.#lastHeadSize = db.prepare<[], { n: number | null }>('SELECT MAX(tree_size) AS n FROM audit_tree_heads').get()?.n ?? 0;
  }

  get chainId(): string {
    return this.#chainId;
  }

  /** Events committed so far (the current tree size). */
  get size(): number {
    return this.#frontier.size;
  }

  /** Releases the WAL file handle (call before closing the database, after the last append resolved). */
  close(): void {
    if (this.#walFd !== undefined && !this.#syncing) closeSync(this.#walFd);
    this.#walFd = undefined;
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

  async atomically(work: () => Promise<{ readonly event: AuditEvent; readonly keep: boolean }>): Promise<void> {
    const previous = this.#lock;
    let release = (): void => undefined;
    this.#lock = new Promise<void>((r) => (release = r));
    await previous;
    this.#locked = true;
    try {
      this.#flush();
      const db = this.#db;
      this.#relaxSync(true);
      db.exec('BEGIN IMMEDIATE');
      try {
        db.exec('SAVEPOINT operation');
        const { event, keep } = await work();
        db.exec(keep ? 'RELEASE operation' : 'ROLLBACK TO operation; RELEASE operation');
        const frontier = this.#frontier.clone();
        this.#catchUp(frontier);
        this.#write(event, frontier);
        db.exec('COMMIT');
        this.#frontier = frontier;
      } catch (e) {
        if (db.inTransaction) db.exec('ROLLBACK');
        transactionEnded(db, false);
        this.#health?.noteFailure(e);
        throw e;
      } finally {
        this.#relaxSync(false);
      }
      await this.#durable();
      this.#health?.noteSuccess();
      transactionEnded(db, true);
      this.#afterCommit();
    } finally {
      this.#locked = false;
      release();
      if (this.#queue.length > 0) this.#schedule();
    }
  }

  #schedule(): void {
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        // While a sync runs, events queue up and commit together once it ends (one commit per sync).
        if (!this.#locked && !this.#syncing && !this.#waitingForLock) this.#flush();
      });
    }
  }

  #flush(): void {
    const batch = this.#queue;
    if (batch.length === 0) return;
    this.#queue = [];
    const frontier = this.#frontier.clone();
    let recorded: AuditEvent[];
    this.#relaxSync(true);
    if (this.#sharedWriters) this.#db.pragma('busy_timeout = 0');
    try {
      // IMMEDIATE: other processes sharing the database (arca dev --workers) wait for the write lock.
      recorded = this.#db.transaction(() => {
        this.#catchUp(frontier);
        return batch.map((p) => this.#write(p.event, frontier));
      }).immediate();
    } catch (err) {
      if (this.#sharedWriters && (err as { code?: unknown }).code === 'SQLITE_BUSY') {
        // Another process is committing: nothing was written; keep the batch (first) and retry shortly.
        this.#queue = batch.concat(this.#queue);
        this.#waitingForLock = true;
        setTimeout(() => {
          this.#waitingForLock = false;
          if (!this.#locked && !this.#syncing) this.#flush();
        }, 1);
        return;
      }
      this.#health?.noteFailure(err);
      for (const p of batch) p.reject(err);
      return;
    } finally {
      if (this.#sharedWriters) this.#db.pragma(`busy_timeout = ${this.#busyTimeout}`);
      this.#relaxSync(false);
    }
    this.#frontier = frontier;
    this.#afterCommit();
    const lone = batch.length === 1 ? batch[0] : undefined;
    if (lone !== undefined) {
      try {
        if (this.#syncInline()) {
          this.#health?.noteSuccess();
          return lone.resolve(recorded[0] as AuditEvent);
        }
      } catch (err) {
        this.#health?.noteFailure(err);
        return lone.reject(err);
      }
    }
    // The next batch may commit while this one's fdatasync runs: the WAL is append-only, so a later
    // fdatasync also covers every earlier commit, and each answer waits for one started after its own.
    this.#durable().then(
      () => {
        this.#health?.noteSuccess();
        batch.forEach((p, i) => p.resolve(recorded[i] as AuditEvent));
      },
      (err: unknown) => {
        this.#health?.noteFailure(err);
        batch.forEach((p) => p.reject(err));
      },
    );
  }

  /** Around a commit the writer makes durable itself: SQLite skips its own fsync (the WAL is synced after). */
  #relaxSync(relax: boolean): void {
    // Not a statement prepared once: SQLite applies `PRAGMA synchronous` when it compiles the statement.
    if (this.#walFd !== undefined) this.#db.pragma(relax ? 'synchronous = NORMAL' : 'synchronous = FULL');
  }

  /**
   * A lone event with no sync running (a quiet server): fdatasync right here, on the event loop, which
   * saves the round trip through the thread pool (about a tenth of a millisecond of latency); nothing else
   * is waiting to run meanwhile. Under load batches hold several events and sync on the pool. Throws
   * when the sync fails (the caller rejects the event, as a failed sync on the pool would).
   */
  #syncInline(): boolean {
    const fd = this.#walFd;
    if (fd === undefined || this.#syncing || this.#syncWaiters.length > 0 || this.#queue.length > 0) return false;
    fdatasyncSync(fd);
    return true;
  }

  /**
   * Resolves once everything committed so far is on stable storage. One fdatasync runs at a time; the
   * commits made while it runs wait for the next one, which covers them all (group sync).
   */
  #durable(): Promise<void> {
    if (this.#walFd === undefined) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#syncWaiters.push({ resolve, reject });
      this.#startSync();
    });
  }

  #startSync(): void {
    const fd = this.#walFd;
    if (this.#syncing || this.#syncWaiters.length === 0 || fd === undefined) return;
    const covered = this.#syncWaiters;
    this.#syncWaiters = [];
    this.#syncing = true;
    fdatasync(fd, (err) => {
      this.#syncing = false;
      for (const w of covered) {
        if (err) w.reject(err);
        else w.resolve();
      }
      this.#startSync();
      if (!this.#syncing && !this.#locked && !this.#waitingForLock && this.#queue.length > 0) this.#flush();
    });
  }

  /**
   * Brings `frontier` up to the events other processes sharing the database appended (inside the
   * caller's write transaction, so nothing can be appended meanwhile).
   */
  #catchUp(frontier: MerkleFrontier): void {
    for (const r of this.#newer.iterate(frontier.size)) {
      if (r.seq !== frontier.size + 1) throw new Error(`the audit trail has a gap before sequence ${r.seq}`);
      frontier.append(r.leaf_hash);
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
    this.#insert.run(sequence, e.eventID, e.eventTime, e.eventName, e.requestID, e.errorCode ?? null, body, leaf, e.userIdentity.arn ?? null, e.sourceIPAddress);
    for (const r of e.resources) this.#insertKey.run(r.ARN, sequence, e.errorCode === undefined ? 1 : 0);
    frontier.append(leaf, this.#nodes.store);
    return e;
  }

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
    if (signer === undefined || !this.#db.open || this.#locked) return undefined;
    try {
      // Under the write lock: the tree is exactly the database's, whichever process appended to it.
      return this.#db.transaction((): TreeHead | undefined => {
          const frontier = this.#frontier.clone();
          this.#catchUp(frontier);
          this.#frontier = frontier;
          const size = frontier.size;
          this.#lastHeadSize = this.#db.prepare<[], { n: number | null }>('SELECT MAX(tree_size) AS n FROM audit_tree_heads').get()?.n ?? 0;
          if (size === this.#lastHeadSize) return undefined;
          const unsigned = { chainId: this.#chainId, treeSize: size, rootHash: frontier.root().toString('hex'), timestamp: this.#clock.now().toISOString() };
          const signature = signer.sign(treeHeadSigningBytes(unsigned));
          const checkpointSignature = signer.sign(Buffer.from(checkpointText(unsigned), 'utf8'));
          this.#db
            .prepare('INSERT INTO audit_tree_heads (tree_size, root_hash, timestamp, signature, checkpoint_signature) VALUES (?, ?, ?, ?, ?)')
            .run(size, Buffer.from(unsigned.rootHash, 'hex'), unsigned.timestamp, signature, checkpointSignature);
          this.#lastHeadSize = size;
          return { ...unsigned, signature: signature.toString('base64') };
        }).immediate();
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
    if (this.#locked) return 0;
    return this.#db.prepare("UPDATE audit_events SET body = '', pruned = 1 WHERE event_time < ? AND pruned = 0").run(before).changes;
  }

  getSigningKey(): { publicKey: Buffer; wrapped: WrappedSecret } | undefined {
    const r = this.#db
      .prepare<[], { public_key: Buffer; domain_key_version: number; wrapped_private: Buffer }>('SELECT public_key, domain_key_version, wrapped_private FROM audit_signing_keys WHERE id = 1')
      .get();
    return r && { publicKey: r.public_key, wrapped: { domainKeyVersion: r.domain_key_version, wrapped: r.wrapped_private } };
  }

  putSigningKey(publicKey: Buffer, wrapped: WrappedSecret): void {
    this.#db.prepare('INSERT INTO audit_signing_keys (id, public_key, domain_key_version, wrapped_private) VALUES (1, ?, ?, ?)').run(publicKey, wrapped.domainKeyVersion, wrapped.wrapped);
  }

  /** Events, oldest first (tests and the export use the trail's query side). */
  list(limit = 1000): AuditEvent[] {
    return this.#db
      .prepare<[number], { body: string }>('SELECT body FROM audit_events WHERE pruned = 0 ORDER BY seq LIMIT ?')
      .all(limit)
      .map((r) => JSON.parse(r.body) as AuditEvent);
  }

  #loadChainId(): string {
    const row = this.#db.prepare<[], { value: string }>("SELECT value FROM audit_meta WHERE name = 'chain_id'").get();
    if (row !== undefined) return row.value;
    const id = randomId();
    this.#db.prepare("INSERT INTO audit_meta (name, value) VALUES ('chain_id', ?)").run(id);
    return id;
  }

  /** Gives events written before the verifiable trail existed their sequence, chain id and leaf hash. */
  #upgradeLegacyEvents(): void {
    const legacy = this.#db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM audit_events WHERE leaf_hash IS NULL').get()?.n ?? 0;
    if (legacy === 0) return;
    const frontier = new MerkleFrontier();
    const rows = this.#db.prepare<[], { body: string }>('SELECT body FROM audit_events ORDER BY seq').all();
    this.#db.transaction(() => {
      this.#db.exec('DELETE FROM audit_event_keys; DELETE FROM audit_events; DELETE FROM audit_tree_nodes');
      for (const r of rows) this.#write(JSON.parse(r.body) as AuditEvent, frontier);
    }).immediate();
  }
}
