import pg from 'pg';
import type { Logger } from '../../core/ports.js';

/** Advisory lock class of node-name claims: 'ARCN'; the object is `hashtext(node name)`. */
export const NODE_CLAIM_CLASS = 0x4152434e;

/**
 * A running node's claim on its name: a session advisory lock held on a dedicated connection for the
 * node's life. Two live nodes under one name would append to one audit chain and break it, so the second
 * is refused at start. Names whose hashes collide refuse each other too (a clear error; rename one).
 * If the claim's connection drops, the node goes on serving and logs it; the name is then unguarded until
 * restart (docs/cluster.md).
 */
export class PostgresNodeClaim {
  readonly #client: pg.Client;

  private constructor(client: pg.Client) {
    this.#client = client;
  }

  static async take(config: pg.ClientConfig, node: string, logger: Logger): Promise<PostgresNodeClaim> {
    const client = new pg.Client({ ...config, keepAlive: true });
    let lost = false;
    client.on('error', (e) => {
      if (!lost) logger.warn('the connection holding this node\'s name claim failed; the name is unguarded until restart', { node, error: e.message });
      lost = true;
    });
    await client.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', [NODE_CLAIM_CLASS, node]);
      if (rows[0]?.locked !== true) throw new Error(`another running node uses the name ${node} on this database: give each node its own nodeName (ARCA_NODE_NAME)`);
    } catch (e) {
      await client.end().catch(() => undefined);
      throw e;
    }
    return new PostgresNodeClaim(client);
  }

  /** Frees the name (closing the session frees its lock). */
  async release(): Promise<void> {
    await this.#client.end().catch(() => undefined);
  }
}
