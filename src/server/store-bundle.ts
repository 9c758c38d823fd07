import { AuditWriter, type AuditWriterOptions } from '../audit/audit-writer.js';
import type { ApprovalStore } from '../core/approval.js';
import type { CustomKeyStoreStore } from '../core/custom-key-stores.js';
import { SqliteCustomKeyStoreStore } from '../store/sqlite/sqlite-custom-key-store-store.js';
import type { DevStateStore } from '../core/dev-state.js';
import type { AuditChainInfo } from '../core/audit-chains.js';
import type { KeyImportStore } from '../core/key-import.js';
import type { ClusterNodes } from '../core/cluster.js';
import type { LeaderLease } from '../core/leadership.js';
import type { PostgresDatabase } from '../store/postgres/database.js';
import type { KeyCount, KeyWatchQuery, PoolStats } from '../core/observability.js';
import type { AuditTrail, Clock, GrantStore, KeyLifecycleStore, KeyStore, PrincipalStore, ReadFreshness, RewrapStore, SealStore, StorageHealth } from '../core/ports.js';
import { openDatabase, type SqliteDatabase } from '../store/sqlite/database.js';
import { SqliteApprovalStore } from '../store/sqlite/sqlite-approval-store.js';
import { SqliteDevState } from '../store/sqlite/sqlite-dev-state.js';
import { SqliteAuditRows } from '../store/sqlite/sqlite-audit-rows.js';
import { SqliteAuditChains } from '../store/sqlite/sqlite-audit-chains.js';
import { SqliteAuditTrail } from '../store/sqlite/sqlite-audit-trail.js';
import { SqliteGrantStore } from '../store/sqlite/sqlite-grant-store.js';
import { SqliteKeyFacts } from '../store/sqlite/sqlite-key-facts.js';
import { SqliteKeyImportStore } from '../store/sqlite/sqlite-key-import-store.js';
import { sqliteKeyInventory, sqliteKeyWatch } from '../store/sqlite/sqlite-key-inventory.js';
import { SqliteKeyLifecycleStore } from '../store/sqlite/sqlite-key-lifecycle-store.js';
import { adoptHomeRegion, SqliteKeyStore } from '../store/sqlite/sqlite-key-store.js';
import { SqlitePrincipalStore } from '../store/sqlite/sqlite-principal-store.js';
import { SqliteReadCache, type ReadCacheStats } from '../store/sqlite/read-cache.js';
import { SqliteRewrapStore } from '../store/sqlite/sqlite-rewrap-store.js';
import { SqliteSealStore } from '../store/sqlite/sqlite-seal-store.js';
import { SqliteUnitOfWork, type SqliteUnitOfWorkOptions } from '../store/sqlite/sqlite-unit-of-work.js';
import { SqliteStorageHealth } from '../store/sqlite/storage-health.js';
import { LocalClusterNodes } from '../store/memory/memory-cluster-nodes.js';
import { nodeNameOf } from './storage-config.js';

/** What the audit trail's read side is built from (the writer's state, the signer, the operation registry). */
export interface TrailParts {
  readonly chainId: () => string;
  readonly publicKey: () => Buffer;
  readonly checkpoint: () => unknown;
  readonly sign: (message: Uint8Array) => Buffer | undefined;
  readonly keyUseEvents: readonly string[];
}

/**
 * Every port adapter one engine gives a composition (ADR 0013): the compositions (server, dev, the
 * operation harness) take a bundle and never name an engine's classes, so SQLite and PostgreSQL run the
 * same wiring.
 */
interface StoreBundleBase {
  /** Direct reads: the scheduler, the seal controller and the bootstrap read the database itself. */
  readonly keys: KeyStore;
  readonly principals: PrincipalStore;
  /** What requests read: through the read cache where the engine has one. */
  readonly requestStores: {
    readonly keys: KeyStore;
    readonly principals: PrincipalStore;
    readonly grants: GrantStore;
    /** Approval rules and requests (issue 18): the same adapter as {@link StoreBundleBase.approvals}, never cached. */
    readonly approvals: ApprovalStore;
    readonly keyFacts: Pick<KeyStore, 'listTags' | 'listAliases' | 'getPolicyPrincipals'>;
  };
  /** Refreshed as each request starts, emptied at seal; undefined: every request reads the database. */
  readonly reads: (ReadFreshness & { clear(): void }) | undefined;
  readonly lifecycle: KeyLifecycleStore;
  readonly imports: KeyImportStore;
  readonly rewrap: RewrapStore;
  /** Approval rules and requests (issue 18); decisions and execution are compare-and-set, so never read through a cache. */
  readonly approvals: ApprovalStore;
  /** Custom key stores and their keys' links (ADR 0024). */
  readonly customKeyStores: CustomKeyStoreStore;
  readonly seal: SealStore;
  /** Dev mode's reset (ArcaService.Reset); only `arca dev` hands it to the service. */
  readonly devState: DevStateStore;
  readonly health: StorageHealth;
  /** This node's name (its audit chain's, on PostgreSQL) and where nodes report themselves. */
  readonly nodeName: string;
  readonly nodes: ClusterNodes;
  /** The scheduler's cluster-wide lease; undefined: this node is alone on its store (the role decides). */
  readonly leaderLease: LeaderLease | undefined;
  /** Keys by state and key spec, for the `arca_keys` gauge. */
  readonly keyCounts: () => readonly KeyCount[] | Promise<readonly KeyCount[]>;
  /** Overdue rotations and expiring imported material, for the key-health gauges. */
  readonly keyWatch: KeyWatchQuery;
  /** The read cache's hits and misses; undefined where requests read the database directly (PostgreSQL). */
  readonly readCacheStats: (() => ReadCacheStats) | undefined;
  /** The connection pool's clients; undefined without a pool (SQLite). */
  readonly poolStats: (() => PoolStats) | undefined;
  /** The audit writer over the engine's unit of work and audit rows (this node's chain). */
  openAuditWriter(options: AuditWriterOptions): Promise<AuditWriter>;
  /** The read side of this node's audit trail. */
  openAuditTrail(parts: TrailParts): AuditTrail;
  /** Every audit chain in the store, by node name: one per node that wrote on PostgreSQL, one on SQLite. */
  auditChains(): Promise<readonly AuditChainInfo[]>;
  /** A read-only trail over chain `chainId` (stored public key, signs nothing); undefined: no such chain. */
  trailOf(chainId: string, keyUseEvents: readonly string[]): Promise<AuditTrail | undefined>;
  /** Gives the keys and aliases stored before regions existed (ADR 0022) to `home`, the configured region. */
  adoptHomeRegion(home: string): Promise<void>;
  /** Closes the engine (after the audit writer's last commit). */
  close(): Promise<void>;
}

/** The SQLite bundle: one database file, with the read cache. */
export interface SqliteStoreBundle extends StoreBundleBase {
  readonly engine: 'sqlite';
  readonly db: SqliteDatabase;
}

/** The PostgreSQL bundle: a pool shared by a cluster's nodes; requests read the database directly. */
export interface PostgresStoreBundle extends StoreBundleBase {
  readonly engine: 'postgres';
  readonly pg: PostgresDatabase;
}

export type StoreBundle = SqliteStoreBundle | PostgresStoreBundle;

export interface SqliteBundleOptions extends SqliteUnitOfWorkOptions {
  /** This node's name (default the host name). */
  readonly nodeName?: string | undefined;
  /** BENCHMARKS ONLY (AuditConfig.memoryOnlyForBenchmarks): the audit trail in an in-memory database. */
  readonly auditInMemoryForBenchmarks?: boolean | undefined;
}

/** The SQLite bundle over `db` (the caller opened it; {@link StoreBundle.close} closes it). */
export function sqliteStoreBundle(db: SqliteDatabase, clock: Clock, options: SqliteBundleOptions = {}): SqliteStoreBundle {
  const reads = new SqliteReadCache(db);
  const auditDb = options.auditInMemoryForBenchmarks === true ? openDatabase(':memory:') : db;
  const inventory = sqliteKeyInventory(db);
  const nodeName = nodeNameOf(options.nodeName);
  const chains = new SqliteAuditChains(auditDb, nodeName);
  const approvals = new SqliteApprovalStore(db);
  return {
    engine: 'sqlite',
    db,
    nodeName,
    nodes: new LocalClusterNodes(clock),
    leaderLease: undefined,
    keys: new SqliteKeyStore(db),
    principals: new SqlitePrincipalStore(db),
    requestStores: {
      keys: new SqliteKeyStore(db, reads),
      principals: new SqlitePrincipalStore(db, reads),
      grants: new SqliteGrantStore(db, reads),
      approvals,
      keyFacts: new SqliteKeyFacts(db, reads),
    },
    reads,
    lifecycle: new SqliteKeyLifecycleStore(db),
    imports: new SqliteKeyImportStore(db),
    rewrap: new SqliteRewrapStore(db),
    approvals,
    customKeyStores: new SqliteCustomKeyStoreStore(db),
    seal: new SqliteSealStore(db),
    devState: new SqliteDevState(db),
    health: new SqliteStorageHealth(clock),
    keyCounts: inventory,
    keyWatch: sqliteKeyWatch(db),
    readCacheStats: () => reads.stats,
    poolStats: undefined,
    openAuditWriter: (o) => AuditWriter.open(new SqliteUnitOfWork(auditDb, { durability: options.durability }), new SqliteAuditRows(auditDb), o),
    openAuditTrail: (p) => new SqliteAuditTrail(auditDb, p.chainId, p.publicKey, p.checkpoint, p.sign, p.keyUseEvents),
    auditChains: () => chains.list(),
    trailOf: (chainId, keyUseEvents) => chains.trailOf(chainId, keyUseEvents),
    adoptHomeRegion: async (home) => adoptHomeRegion(db, home),
    async close() {
      if (auditDb !== db) auditDb.close();
      db.close();
    },
  };
}
