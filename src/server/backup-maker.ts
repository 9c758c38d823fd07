import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { KmsError, sealed } from '../core/errors.js';
import type { BackupMaker, BackupSummary } from '../core/backup-file.js';
import type { Clock, RootOfTrust } from '../core/ports.js';
import { randomId } from '../crypto/random.js';
import { withPostgresSnapshot, withSqliteSnapshot, type StoreSnapshot } from '../store/backup/snapshot.js';
import { makeBackup } from './backup.js';
import type { StoreBundle } from './store-bundle.js';

/** Where backups go when `backup.dir` is not configured: `<dataDir>/backups` (arca dev and arca server alike). */
export function defaultBackupDir(dataDir: string): string {
  return join(dataDir, 'backups');
}

/** The file name prefix of backups made on request (`arca backup create`); scheduled ones have their own. */
export const MANUAL_BACKUP_PREFIX = 'arca-backup';

/**
 * The server's BackupMaker (ADR 0016): a snapshot of its own store (SQLite: a second, read-only
 * connection in one read transaction, beside the serving one; PostgreSQL: REPEATABLE READ READ ONLY),
 * encrypted under the live root and signed with this node's audit trail key, written durably as a new
 * file (mode 0600) in `dir`, named `<prefix>-<time>-<id>.arcabak` (prefix default {@link MANUAL_BACKUP_PREFIX}),
 * streamed (memory bounded whatever the store's size). The root stays the server's: nothing is zeroed
 * but the backup's own copies.
 */
export function serverBackupMaker(options: { readonly store: StoreBundle; readonly dataDir: string; readonly root: RootOfTrust; readonly dir: string; readonly clock: Clock; readonly location?: string | undefined; readonly prefix?: string | undefined }): BackupMaker {
  const { store, root, dir, clock } = options;
  const snapshot = <T>(work: (s: StoreSnapshot) => Promise<T>): Promise<T> =>
    store.engine === 'postgres' ? withPostgresSnapshot(store.pg, work) : withSqliteSnapshot(options.dataDir, work);
  return {
    async create(): Promise<BackupSummary> {
      if (root.isSealed()) throw sealed();
      const now = clock.now();
      const location = options.location ?? (store.engine === 'postgres' ? `postgres (node ${store.nodeName})` : options.dataDir);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const path = join(dir, `${options.prefix ?? MANUAL_BACKUP_PREFIX}-${now.toISOString().replace(/[:.]/g, '-')}-${randomId().slice(0, 8)}.arcabak`);
      const made = await snapshot(async (s) => {
        const mine = s.chains.find((c) => c.node === store.nodeName)?.chainId;
        return makeBackup(s, root, { out: path, location, now, chainId: mine });
      }).catch((e: unknown) => {
        if (e instanceof KmsError) throw e;
        throw new KmsError('Internal', `the backup failed: ${e instanceof Error ? e.message : String(e)}`);
      });
      return { path, bytes: made.bytes, sha256: made.sha256, header: made.header };
    },
  };
}
