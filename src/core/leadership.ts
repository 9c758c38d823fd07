/**
 * Leadership of a cluster's background work (issue 14, ADR 0015): several Arca nodes share one database,
 * and only the holder of the lease runs the key-lifecycle jobs. The lease is an optimisation of work, not
 * the safety net: every job is idempotent and guarded inside its own transaction (expected primary
 * version, due dates re-checked), so two nodes that both believe they lead for a moment still rotate once
 * and destroy once.
 */

/** Called when a lease this node held is lost without {@link LeaderLease.release} (connection dropped, session killed). */
export type LeaseLostListener = () => void;

/** A cluster-wide, exclusive, non-blocking lease; one instance per node. */
export interface LeaderLease {
  /**
   * Tries to take (or confirm) the lease and answers whether this node holds it now. Never waits for
   * another holder; an unreachable database answers `false` (it is logged by the implementation, never
   * thrown). Concurrent calls share one attempt.
   */
  acquire(): Promise<boolean>;
  /** Whether this node held the lease at its last acquire() and has not lost or released it since. */
  readonly held: boolean;
  /** Gives the lease up (another node may take it at its next try) and frees its resources; idempotent. */
  release(): Promise<void>;
  /**
   * Registers `listener`, called once each time a held lease is lost (never on release()). Returns a
   * function that unregisters it.
   */
  onLost(listener: LeaseLostListener): () => void;
}

/** The lease of a node that is alone on its store (SQLite, memory): held from the first acquire() until release(). */
export class AlwaysLeader implements LeaderLease {
  #held = false;

  /** Always true: nobody else can hold it. */
  acquire(): Promise<boolean> {
    this.#held = true;
    return Promise.resolve(true);
  }

  get held(): boolean {
    return this.#held;
  }

  release(): Promise<void> {
    this.#held = false;
    return Promise.resolve();
  }

  /** Never lost: the listener is never called. */
  onLost(): () => void {
    return () => undefined;
  }
}

/**
 * The lease of a node that never leads: the worker processes of `arca dev --workers`, whose primary
 * process runs the jobs for all of them.
 */
export class NeverLeader implements LeaderLease {
  acquire(): Promise<boolean> {
    return Promise.resolve(false);
  }

  get held(): boolean {
    return false;
  }

  release(): Promise<void> {
    return Promise.resolve();
  }

  /** Never held, so never lost. */
  onLost(): () => void {
    return () => undefined;
  }
}
