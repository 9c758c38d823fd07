import { PostgresDevState } from '../store/postgres/postgres-dev-state.js';
import { adoptHomeRegion } from '../store/postgres/postgres-key-store.js';
import { readFileSync } from 'node:fs';
import { AuditWriter } from '../audit/audit-writer.js';
import type { Clock, Logger } from '../core/ports.js';
import { connectionConfig, PostgresDatabase } from '../store/postgres/database.js';
import { PostgresLeaderLease } from '../store/postgres/postgres-leader-lease.js';
import { PostgresAuditChains } from '../store/postgres/postgres-audit-chains.js';
import { PostgresAuditRows } from '../store/postgres/postgres-audit-rows.js';
import { PostgresAuditTrail } from '../store/postgres/postgres-audit-trail.js';
import { postgresKeyInventory, postgresKeyWatch } from '../store/postgres/postgres-key-inventory.js';
import { PostgresNodeClaim } from '../store/postgres/node-claim.js';
import { PostgresClusterNodes } from '../store/postgres/postgres-cluster-nodes.js';
import { postgresStores } from '../store/postgres/postgres-stores.js';
import { PostgresUnitOfWork } from '../store/postgres/postgres-unit-of-work.js';
import { PostgresStorageHealth } from '../store/postgres/storage-health.js';
import { nodeNameOf, redactUrl, type PostgresStorageConfig } from './storage-config.js';
import type { PostgresStoreBundle } from './store-bundle.js';

/** node-postgres TLS options from `storage.tls` (files read now); undefined: as the URL says (`sslmode`). */
function sslOf(tls: PostgresStorageConfig['tls']) {
  if (tls === undefined) return undefined;
  const read = (path: string | undefined) => (path === undefined ? undefined : readFileSync(path, 'utf8'));
  return { ca: read(tls.ca), cert: read(tls.cert), key: read(tls.key), rejectUnauthorized: tls.verify };
}

/**
 * The PostgreSQL bundle (docs/cluster.md): the pool (migrated once per cluster), every port's adapter,
 * this node's audit chain under its name, and the claim on that name (two live nodes never share a chain).
 * Requests read the database directly: there is no row cache to go stale, so a change committed by any
 * node applies to the next request on every node.
 */
export async function openPostgresStore(config: PostgresStorageConfig, opts: { readonly nodeName: string | undefined; readonly clock: Clock; readonly logger: Logger }): Promise<PostgresStoreBundle> {
  const node = nodeNameOf(opts.nodeName);
  const where = redactUrl(config.url);
  const options = { url: config.url, pool: config.pool, ssl: sslOf(config.tls) };
  const pg = await PostgresDatabase.open({
    ...options,
    onIdleError: (e) => opts.logger.warn('a pooled PostgreSQL connection failed; it was dropped', { database: where, error: e.message }),
  });
  let claim: PostgresNodeClaim;
  try {
    claim = await PostgresNodeClaim.take(connectionConfig(options), node, opts.logger);
  } catch (e) {
    await pg.close();
    throw e;
  }
  opts.logger.info('storage: PostgreSQL', { database: where, node });
  const stores = postgresStores(pg);
  const chains = new PostgresAuditChains(pg);
  return {
    engine: 'postgres',
    pg,
    nodeName: node,
    nodes: new PostgresClusterNodes(pg),
    leaderLease: new PostgresLeaderLease({ database: options, logger: opts.logger }),
    keys: stores.keys,
    principals: stores.principals,
    requestStores: { keys: stores.keys, principals: stores.principals, grants: stores.grants, approvals: stores.approvals, keyFacts: stores.keyFacts },
    reads: undefined,
    lifecycle: stores.lifecycle,
    imports: stores.imports,
    rewrap: stores.rewrap,
    approvals: stores.approvals,
    customKeyStores: stores.customKeyStores,
    seal: stores.seal,
    devState: new PostgresDevState(pg),
    health: new PostgresStorageHealth(opts.clock),
    keyCounts: postgresKeyInventory(pg),
    keyWatch: postgresKeyWatch(pg),
    readCacheStats: undefined,
    poolStats: () => ({ total: pg.pool.totalCount, idle: pg.pool.idleCount, waiting: pg.pool.waitingCount }),
    openAuditWriter: (o) => AuditWriter.open(new PostgresUnitOfWork(pg), new PostgresAuditRows(pg, node), o),
    openAuditTrail: (p) => new PostgresAuditTrail(pg, p.chainId, p.publicKey, p.checkpoint, p.sign, p.keyUseEvents),
    auditChains: () => chains.listChains(),
    trailOf: (chainId, keyUseEvents) => chains.trailOf(chainId, keyUseEvents),
    adoptHomeRegion: (home) => adoptHomeRegion(pg, home),
    async close() {
      await claim.release();
      await pg.close();
    },
  };
}
