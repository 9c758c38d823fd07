import { join } from 'node:path';
import { AuditWriter, type AuditWriterOptions } from '../audit/audit-writer.js';
import { AuditTreeHeadSigner } from '../audit/signer.js';
import type { AuditChains } from '../core/audit-chains.js';
import type { AuditObserver } from '../core/observability.js';
import type { AuditTrail, Clock, Logger } from '../core/ports.js';
import type { KeyHierarchy } from '../custody/key-hierarchy.js';
import { OPERATIONS } from '../service/pipeline/registry.js';
import { keyUseEventNames } from '../service/pipeline/state-changes.js';
import type { SqliteDatabase } from '../store/sqlite/database.js';
import { SqliteAuditRows } from '../store/sqlite/sqlite-audit-rows.js';
import { SqliteUnitOfWork, type SqliteUnitOfWorkOptions } from '../store/sqlite/sqlite-unit-of-work.js';
import { AuditSink, type SinkConfig } from './audit-sinks.js';
import type { StoreBundle } from './store-bundle.js';

/** The audit trail's settings (DESIGN.md §4; docs/audit.md). */
export interface AuditConfig {
  /** Sign a tree head after this many new events (default 1000). */
  readonly checkpointEvery?: number;
  /** ... and at least this often while events arrive, in milliseconds (default 10 000). */
  readonly checkpointIntervalMs?: number;
  /** Drop event bodies older than this many days (leaf hashes and tree heads are kept); default: keep all. */
  readonly retentionDays?: number;
  /** How commits are made durable (default `wal-fdatasync`; see SqliteUnitOfWork and ADR 0005). */
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

/** The audit trail as the compositions wire it: writer, read side, signer, maintenance timers and sinks. */
export interface AuditWiring {
  readonly audit: AuditWriter;
  readonly trail: AuditTrail;
  /** Every chain of the store: this node's own trail for its chain, a read-only trail for another node's. */
  readonly chains: AuditChains;
  readonly sinks: readonly AuditSink[];
  /** Loads (or creates) the tree-head signing key; needs the key hierarchy open. Idempotent. */
  attachSigner(): Promise<void>;
  /** Forgets the signing key (seal): no tree heads are signed until the next `attachSigner`. */
  detachSigner(): void;
  /** Extra `/readyz` fields. */
  status(): Record<string, unknown>;
  /** Stops the timers, signs a last tree head and lets the sinks catch up (before the store closes). */
  drain(): Promise<void>;
  /** Releases the signing key and file handles (after the last event). */
  release(): void;
}

/** After an unseal, the tree head covering the unseal's own events is signed this soon. */
const FIRST_HEAD_DELAY_MS = 1000;

/** The audit writer over SQLite's unit of work and audit rows on `db` (the compositions, tests and benches). */
export function sqliteAuditWriter(db: SqliteDatabase, options: AuditWriterOptions & SqliteUnitOfWorkOptions): Promise<AuditWriter> {
  return AuditWriter.open(new SqliteUnitOfWork(db, { durability: options.durability }), new SqliteAuditRows(db), options);
}

/** `sharedWriters`: worker processes of `arca dev --workers` append to the same trail (AuditWriter). */
export async function wireAudit(
  config: { readonly dataDir: string; readonly audit?: AuditConfig | undefined; readonly sharedWriters?: boolean | undefined },
  store: StoreBundle,
  hierarchy: KeyHierarchy,
  clock: Clock,
  logger: Logger,
  observer?: AuditObserver,
): Promise<AuditWiring> {
  const c = config.audit ?? {};
  const audit = await store.openAuditWriter({ clock, logger, checkpointEvery: c.checkpointEvery, sharedWriters: config.sharedWriters, health: store.health, observer });
  let signer: AuditTreeHeadSigner | undefined;
  const keyUseEvents = keyUseEventNames(OPERATIONS);
  const trail = store.openAuditTrail({
    chainId: () => audit.chainId,
    publicKey: () => signer?.publicKey ?? audit.storedPublicKey ?? Buffer.alloc(0),
    checkpoint: () => audit.checkpoint(),
    sign: (message) => signer?.sign(message),
    keyUseEvents,
  });
  const chains: AuditChains = {
    list: () => store.auditChains(),
    // This node's chain through its own trail: it signs a tree head on demand, as the single-node operations always did.
    trailOf: async (chainId) => (chainId === audit.chainId ? trail : store.trailOf(chainId, keyUseEvents)),
  };
  const retentionDays = c.retentionDays;
  const maintenance = setInterval(() => {
    void audit.checkpoint().then(() => (retentionDays === undefined ? 0 : audit.prune(new Date(clock.now().getTime() - retentionDays * 86_400_000).toISOString())))
      .catch((e: unknown) => logger.error('audit retention failed', { error: String(e) }));
  }, c.checkpointIntervalMs ?? 10_000);
  maintenance.unref();
  const sinks = (c.sinks ?? []).map(
    (s, i) => new AuditSink(s, s.type === 'file' ? `${s.path}.cursor` : join(config.dataDir, `audit-sink-${i}-${s.type}.cursor`), trail, logger),
  );
  let soon: NodeJS.Timeout | undefined;
  const sinkTimer = setInterval(() => sinks.forEach((s) => void s.flush()), c.sinkIntervalMs ?? 1000);
  sinkTimer.unref();
  return {
    audit,
    trail,
    chains,
    sinks,
    async attachSigner() {
      if (signer !== undefined || !hierarchy.isOpen) return;
      signer = await AuditTreeHeadSigner.open(audit, hierarchy);
      audit.attachSigner(signer);
      // Sign what was recorded while sealed now, and what the unseal itself records a moment later, not at
      // the next interval: until its first signed head a chain proves nothing, and `arca audit verify` run
      // through another node reports it `unsigned` (docs/audit.md, "Clusters"). Skipped while a unit runs.
      await audit.checkpoint();
      clearTimeout(soon);
      soon = setTimeout(() => void audit.checkpoint(), FIRST_HEAD_DELAY_MS);
      soon.unref();
    },
    detachSigner() {
      clearTimeout(soon);
      audit.attachSigner(undefined);
      signer?.dispose();
      signer = undefined;
    },
    status: () => (sinks.length === 0 ? {} : { auditSinks: sinks.map((s) => s.status()) }),
    async drain() {
      clearTimeout(soon);
      clearInterval(maintenance);
      clearInterval(sinkTimer);
      await audit.checkpoint();
      await Promise.all(sinks.map((s) => s.flush()));
    },
    release() {
      audit.attachSigner(undefined);
      signer?.dispose();
      audit.close();
    },
  };
}
