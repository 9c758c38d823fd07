import { join } from 'node:path';
import type { Clock, Logger } from '../core/ports.js';
import { openDatabase } from '../store/sqlite/database.js';
import type { SqliteUnitOfWorkOptions } from '../store/sqlite/sqlite-unit-of-work.js';
import type { StorageConfig } from './storage-config.js';
import { sqliteStoreBundle, type StoreBundle } from './store-bundle.js';

/**
 * Opens the configured store: SQLite (`arca.db` in `dataDir`, with the audit trail's durability settings)
 * or PostgreSQL (this node's audit chain named `nodeName`). The PostgreSQL adapters are loaded only when
 * configured.
 */
export async function openStore(
  config: { readonly dataDir: string; readonly storage?: StorageConfig | undefined; readonly audit?: { readonly durability?: SqliteUnitOfWorkOptions['durability']; readonly memoryOnlyForBenchmarks?: boolean | undefined } | undefined; readonly nodeName?: string | undefined; readonly realm?: { readonly region: string } | undefined },
  clock: Clock,
  logger: Logger,
): Promise<StoreBundle> {
  const storage = config.storage ?? { type: 'sqlite' };
  if (storage.type === 'postgres') {
    const { openPostgresStore } = await import('./postgres-bundle.js');
    const pg = await openPostgresStore(storage, { nodeName: config.nodeName, clock, logger });
    if (config.realm !== undefined) await pg.adoptHomeRegion(config.realm.region);
    return pg;
  }
  const audit = config.audit ?? {};
  const bundle = sqliteStoreBundle(openDatabase(join(config.dataDir, 'arca.db')), clock, { durability: audit.durability, auditInMemoryForBenchmarks: audit.memoryOnlyForBenchmarks, nodeName: config.nodeName });
  if (config.realm !== undefined) await bundle.adoptHomeRegion(config.realm.region);
  return bundle;
}
