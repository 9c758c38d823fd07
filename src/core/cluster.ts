/**
 * The nodes of a cluster as each reports itself (issue 14): several Arca nodes share one PostgreSQL
 * database, each with its own seal and audit chain, and one of them leads the lifecycle jobs. Every node
 * writes a heartbeat; `arca operator status` lists them all.
 */

/** How often a node reports itself, in ms. */
export const HEARTBEAT_INTERVAL_MS = 5_000;

/** A node not heard from for this long is shown as `stale` (it died, or lost the database). */
export const STALE_AFTER_MS = 3 * HEARTBEAT_INTERVAL_MS;

/** What a node reports about itself. */
export interface NodeHeartbeat {
  /** The node's stable name (its audit chain's name). */
  readonly node: string;
  readonly sealed: boolean;
  /** Whether it holds the scheduler lease (runs rotations, deletions and expiries). */
  readonly leader: boolean;
  /** Arca's version on that node (rolling upgrades show here). */
  readonly version: string;
  readonly startedAt: Date;
}

/** A node as last reported, with how long ago by the database's clock (no dependency on node clocks). */
export interface NodeRecord extends NodeHeartbeat {
  readonly lastSeenAt: Date;
  readonly secondsSinceSeen: number;
}

/** Where nodes report themselves: a table on PostgreSQL; this process alone on SQLite. */
export interface ClusterNodes {
  heartbeat(status: NodeHeartbeat): Promise<void>;
  /** Every node ever reported (a decommissioned node can be removed with {@link forget}), by name. */
  list(): Promise<readonly NodeRecord[]>;
  /** Removes a node's row (a node that was decommissioned); true when there was one. */
  forget(node: string): Promise<boolean>;
}
