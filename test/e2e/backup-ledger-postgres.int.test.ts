import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { BackupRefused } from '../../src/core/backup-file.js';
import { createBackupFile } from '../../src/server/backup-command.js';
import { restoreBackup } from '../../src/server/backup.js';
import { nonEmptyTables } from '../../src/store/migrate/copy-to-postgres.js';
import { PostgresDatabase } from '../../src/store/postgres/database.js';
import { decrypt, decryptError, rowsOfKey, runLedgerScenario, withRestored, type LedgerScenario } from '../helpers/backup-ledger.js';
import { describeWithPostgres } from '../helpers/postgres.js';
import { ARCA_BIN, removeDir, tempDataDir } from '../helpers/server.js';

describeWithPostgres('destroyed stays destroyed on PostgreSQL: the ledger of a PostgreSQL site, restores into PostgreSQL', (cluster) => {
  const work = tempDataDir('arca-ledger-pg-');
  const node = join(work, 'node');
  const rootFile = join(work, 'kept-dev-root.key');
  let url = '';
  let s: LedgerScenario;

  before(async () => {
    mkdirSync(node);
    url = cluster().url(await cluster().createDatabase());
    s = await runLedgerScenario(node, work, { storage: { type: 'postgres', url }, nodeName: 'node-a' });
    copyFileSync(join(node, 'insecure-dev-root.key'), rootFile);
  });
  after(() => removeDir(work));

  /** A dev data directory holding only the kept dev root file (a PostgreSQL node's root). */
  function nodeDir(name: string): string {
    const dir = join(work, name);
    mkdirSync(dir);
    copyFileSync(rootFile, join(dir, 'insecure-dev-root.key'));
    return dir;
  }

  it('a backup made after the destruction holds none of the key material (decrypted payload rows); B1 does', async () => {
    const rows = await rowsOfKey(s.b2, rootFile, s.destroyed.keyId);
    assert.deepEqual([rows['key_versions'], rows['aliases'], rows['key_rotation']], [[], [], []]);
    assert.equal(rows['key_destructions']?.length, 1);
    assert.ok((await rowsOfKey(s.b1, rootFile, s.destroyed.keyId))['key_versions']!.length > 0);
  });

  it('restore of B1 with the ledger into a new database: the key is destroyed as destroyKey left it; others decrypt; the trail verifies', async () => {
    const target = cluster().url(await cluster().createDatabase());
    const run = spawnSync(process.execPath, [ARCA_BIN, 'backup', 'restore', s.b1, '--to', target, '--dev-root', rootFile, '--ledger', s.ledger], { encoding: 'utf8', env: { PATH: process.env['PATH'] } });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`skipped material of 1 keys: arn:aws:kms:[^ ]+:key/${s.destroyed.keyId} \\(destroyed `));
    await withRestored({ dataDir: nodeDir('restored-node'), storage: { type: 'postgres', url: target }, nodeName: 'node-a' }, async (kms) => {
      assert.deepEqual(await decryptError(kms, s.destroyed.blob), s.liveError);
      assert.equal(await decrypt(kms, s.kept.blob), 'encrypted before backup B1');
    });
    const again = join(work, 'restored.arcabak');
    await createBackupFile(target, again, { devRootFile: rootFile });
    assert.deepEqual(await rowsOfKey(again, rootFile, s.destroyed.keyId), await rowsOfKey(s.b2, rootFile, s.destroyed.keyId));
  });

  it('without the ledger the key comes back; B2 restores it destroyed by its own record', async () => {
    const old = cluster().url(await cluster().createDatabase());
    await restoreBackup(readFileSync(s.b1), { to: old, root: { devRootFile: rootFile } });
    await withRestored({ dataDir: nodeDir('old-node'), storage: { type: 'postgres', url: old }, nodeName: 'node-a' }, async (kms) => {
      assert.equal(await decrypt(kms, s.destroyed.blob), 'encrypted before backup B1');
    });
    const recent = cluster().url(await cluster().createDatabase());
    await restoreBackup(readFileSync(s.b2), { to: recent, root: { devRootFile: rootFile } });
    await withRestored({ dataDir: nodeDir('recent-node'), storage: { type: 'postgres', url: recent }, nodeName: 'node-a' }, async (kms) => {
      assert.deepEqual(await decryptError(kms, s.destroyed.blob), s.liveError);
    });
  });

  it('refuses a tampered ledger, leaving the database empty', async () => {
    const target = cluster().url(await cluster().createDatabase());
    const tampered = join(work, 'tampered.ledger');
    writeFileSync(tampered, readFileSync(s.ledger, 'utf8').replace(s.destroyed.keyId, s.kept.keyId));
    await assert.rejects(
      restoreBackup(readFileSync(s.b1), { to: target, root: { devRootFile: rootFile }, ledgers: [{ name: tampered, bytes: readFileSync(tampered) }] }),
      (e) => e instanceof BackupRefused && /does not verify/.test(e.message),
    );
    const pg = await PostgresDatabase.open({ url: target, pool: { max: 1 } });
    try {
      assert.deepEqual(await nonEmptyTables(pg), []);
    } finally {
      await pg.close();
    }
  });
});
