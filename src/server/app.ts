import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { SigV4Authenticator } from '../auth/sigv4-authenticator.js';
import type { Realm } from '../core/arn.js';
import { accountPrincipalsMayDoEverything } from '../core/authorization.js';
import type { Clock, Logger } from '../core/ports.js';
import { AuditTreeHeadSigner } from '../audit/signer.js';
import { InsecureDevFileRootOfTrust } from '../root/insecure-dev-file-root.js';
import { ensureAdmin, type AdminCredentials } from '../service/bootstrap.js';
import { KeyHierarchy } from '../service/key-hierarchy.js';
import { Pipeline } from '../service/pipeline.js';
import { operationRegistry } from '../service/registry.js';
import { openDatabase, type SqliteDatabase } from '../store/sqlite/database.js';
import { SqliteAuditLog } from '../store/sqlite/sqlite-audit-log.js';
import { SqliteAuditTrail } from '../store/sqlite/sqlite-audit-trail.js';
import { SqliteKeyStore } from '../store/sqlite/sqlite-key-store.js';
import { SqlitePrincipalStore } from '../store/sqlite/sqlite-principal-store.js';
import { AuditSink, type SinkConfig } from './audit-sinks.js';
import { systemClock } from './clock.js';
import { createHttpServer } from './http-server.js';

export interface DevAppConfig {
  readonly dataDir: string;
  readonly realm: Realm;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly maxBodyBytes?: number;
  readonly audit?: AuditConfig;
}

/** The audit trail's settings (DESIGN.md §4; docs/audit.md). */
export interface AuditConfig {
  /** Sign a tree head after this many new events (default 1000). */
  readonly checkpointEvery?: number;
  /** ... and at least this often while events arrive, in milliseconds (default 10 000). */
  readonly checkpointIntervalMs?: number;
  /** Drop event bodies older than this many days (leaf hashes and tree heads are kept); default: keep all. */
  readonly retentionDays?: number;
  /** How commits are made durable (default `wal-fdatasync`; see SqliteAuditLog and ADR 0005). */
  readonly durability?: 'wal-fdatasync' | 'sqlite-full';
  /** Secondary copies of the trail (config file only, never the API); failures are retried and shown in /readyz. */
  readonly sinks?: readonly SinkConfig[];
  /** How often sinks pick up new events, in milliseconds (default 1000). */
  readonly sinkIntervalMs?: number;
  /**
   * BENCHMARKS ONLY: keep the trail in an in-memory SQLite database (same code path, no fsync, nothing
   * survives a restart, mutations no longer commit with their events). bench/audit-overhead.ts compares
   * against it; never set it anywhere else.
   */
  readonly memoryOnlyForBenchmarks?: boolean;
}

export interface App {
  readonly server: Server;
  readonly admin: AdminCredentials;
  readonly db: SqliteDatabase;
  readonly hierarchy: KeyHierarchy;
  readonly audit: SqliteAuditLog;
  readonly auditTrail: SqliteAuditTrail;
  readonly auditSinks: readonly AuditSink[];
  /** Stops accepting connections, finishes in-flight requests, and closes the store. */
  close(): Promise<void>;
}

/**
 * Wires the dev composition: SQLite in `dataDir`, the insecure dev-file root of trust, SigV4 access keys,
 * the interim authorizer. The only place (with the CLI entry) that picks implementations.
 */
export async function createDevApp(config: DevAppConfig): Promise<App> {
  const clock = config.clock ?? systemClock;
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const root = InsecureDevFileRootOfTrust.openOrCreate(join(config.dataDir, 'insecure-dev-root.key'));
  const db = openDatabase(join(config.dataDir, 'arca.db'));
  const keys = new SqliteKeyStore(db);
  const principals = new SqlitePrincipalStore(db);
  const auditDb = config.audit?.memoryOnlyForBenchmarks === true ? openDatabase(':memory:') : db;
  const audit = new SqliteAuditLog(auditDb, { clock, logger: config.logger, checkpointEvery: config.audit?.checkpointEvery, durability: config.audit?.durability });
  const hierarchy = new KeyHierarchy(root, keys);
  await hierarchy.open();
  const signer = await AuditTreeHeadSigner.open(audit, hierarchy);
  audit.attachSigner(signer);
  const auditTrail = new SqliteAuditTrail(auditDb, () => audit.chainId, () => signer.publicKey, () => audit.checkpoint());
  const retentionDays = config.audit?.retentionDays;
  const auditMaintenance = setInterval(() => {
    audit.checkpoint();
    if (retentionDays !== undefined) audit.prune(new Date(clock.now().getTime() - retentionDays * 86_400_000).toISOString());
  }, config.audit?.checkpointIntervalMs ?? 10_000);
  auditMaintenance.unref();
  const sinks = (config.audit?.sinks ?? []).map(
    (c, i) => new AuditSink(c, c.type === 'file' ? `${c.path}.cursor` : join(config.dataDir, `audit-sink-${i}-${c.type}.cursor`), auditTrail, config.logger),
  );
  const sinkTimer = setInterval(() => sinks.forEach((s) => void s.flush()), config.audit?.sinkIntervalMs ?? 1000);
  sinkTimer.unref();
  const admin = await ensureAdmin({ principals, keyring: hierarchy, realm: config.realm, clock });
  const authenticator = new SigV4Authenticator({ store: principals, keyring: hierarchy, realm: config.realm, clock });
  const pipeline = new Pipeline({
    keys,
    hierarchy,
    clock,
    realm: config.realm,
    logger: config.logger,
    authenticator,
    authorizer: accountPrincipalsMayDoEverything,
    audit,
    auditTrail,
    operations: operationRegistry(),
  });
  const server = createHttpServer({
    pipeline,
    logger: config.logger,
    maxBodyBytes: config.maxBodyBytes,
    ready: () => hierarchy.isOpen,
    status: () => (sinks.length === 0 ? {} : { auditSinks: sinks.map((s) => s.status()) }),
  });
  let closing: Promise<void> | undefined;
  return {
    server,
    admin,
    db,
    hierarchy,
    audit,
    auditTrail,
    auditSinks: sinks,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => {
          // In-flight requests have finished and their audit events are committed.
          setImmediate(() => {
            clearInterval(auditMaintenance);
            clearInterval(sinkTimer);
            audit.checkpoint();
            void Promise.all(sinks.map((s) => s.flush())).then(() => {
              signer.dispose();
              audit.close();
              db.close();
              if (auditDb !== db) auditDb.close();
              hierarchy.seal();
              authenticator.forgetAll();
              admin.secretAccessKey.dispose();
              root.seal();
              resolve();
            });
          });
        });
        server.closeIdleConnections();
        // Connections still busy after a grace period are cut: their requests were not acknowledged.
        setTimeout(() => server.closeAllConnections(), 10_000).unref();
      });
      return closing;
    },
  };
}
