import type { ClusterNodes, NodeHeartbeat, NodeRecord } from '../../core/cluster.js';
import type { PostgresDatabase } from './database.js';

interface NodeRow {
  node: string;
  sealed: boolean;
  leader: boolean;
  version: string;
  started_at: Date;
  last_seen_at: Date;
  seconds_since_seen: number;
}

/**
 * The node registry on PostgreSQL (migration 0003-cluster-nodes): one row per node name, upserted by
 * each heartbeat with the database's clock, so that staleness never depends on the nodes' clocks.
 */
export class PostgresClusterNodes implements ClusterNodes {
  readonly #pg: PostgresDatabase;

  constructor(pg: PostgresDatabase) {
    this.#pg = pg;
  }

  async heartbeat(s: NodeHeartbeat): Promise<void> {
    await this.#pg.db.query(
      `INSERT INTO cluster_nodes (node, sealed, leader, version, started_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (node) DO UPDATE SET sealed = $2, leader = $3, version = $4, started_at = $5, last_seen_at = now()`,
      [s.node, s.sealed, s.leader, s.version, s.startedAt],
    );
  }

  async list(): Promise<readonly NodeRecord[]> {
    const rows = await this.#pg.db.query<NodeRow>(
      'SELECT node, sealed, leader, version, started_at, last_seen_at, EXTRACT(EPOCH FROM now() - last_seen_at)::float8 AS seconds_since_seen FROM cluster_nodes ORDER BY node',
    );
    return rows.rows.map((r) => ({ node: r.node, sealed: r.sealed, leader: r.leader, version: r.version, startedAt: r.started_at, lastSeenAt: r.last_seen_at, secondsSinceSeen: Math.max(0, r.seconds_since_seen) }));
  }

  async forget(node: string): Promise<boolean> {
    return ((await this.#pg.db.query('DELETE FROM cluster_nodes WHERE node = $1', [node])).rowCount ?? 0) > 0;
  }
}
