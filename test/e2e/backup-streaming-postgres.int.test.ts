import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import Database from 'better-sqlite3';
import { BackupRefused } from '../../src/core/backup-file.js';
import { restoreBackup } from '../../src/server/backup.js';
import { createBackupFile } from '../../src/server/backup-command.js';
import { nonEmptyTables } from '../../src/store/migrate/copy-to-postgres.js';
import { restoreIntoPostgres } from '../../src/store/backup/restore.js';
import { PostgresDatabase } from '../../src/store/postgres/database.js';
import { makeLargeBackup, type LargeBackup } from '../helpers/backup-large.js';
import { describeWithPostgres } from '../helpers/postgres.js';
import { removeDir, tempDataDir } from '../helpers/server.js';

describeWithPostgres('backups larger than memory should hold: the streaming path into PostgreSQL', (cluster) => {
  const work = tempDataDir('arca-backup-stream-pg-');
  let large: LargeBackup;

  before(async () => {
    large = await makeLargeBackup(work);
  });
  after(() => removeDir(work));

  async function withDatabase<T>(work: (pg: PostgresDatabase, url: string) => Promise<T>): Promise<T> {
    const url = cluster().url(await cluster().createDatabase());
    const pg = await PostgresDatabase.open({ url, pool: { max: 1 } });
    try {
      return await work(pg, url);
    } finally {
      await pg.close();
    }
  }

  it('a payload of several MB round-trips into PostgreSQL, every row as it was, and back out (cursor pages) into SQLite', async () => {
    await withDatabase(async (pg, url) => {
      const report = await restoreBackup(large.file, { to: url, root: { devRootFile: large.rootFile } });
      assert.equal(report.restored.find((t) => t.table === 'tags')!.rows, large.tags.size);
      const rows = (await pg.db.query<{ tag_key: string; tag_value: string }>('SELECT tag_key, tag_value FROM tags WHERE key_id = $1', [large.keyId])).rows;
      assert.equal(rows.length, large.tags.size);
      for (const r of rows) assert.equal(r.tag_value, large.tags.get(r.tag_key), r.tag_key);
      // More tag rows than one snapshot page (5,000): the PostgreSQL snapshot reads them in several FETCHes.
      assert.ok(large.tags.size > 5000);
      const fromPostgres = join(work, 'from-postgres.arcabak');
      const header = await createBackupFile(url, fromPostgres, { devRootFile: large.rootFile });
      assert.equal(header.counts['tags'], large.tags.size);
      const target = join(work, 'back-in-sqlite');
      await restoreBackup(fromPostgres, { to: target, root: { devRootFile: large.rootFile } });
      const db = new Database(join(target, 'arca.db'), { readonly: true });
      try {
        const back = db.prepare<[], { tag_key: string; tag_value: string }>('SELECT tag_key, tag_value FROM tags ORDER BY tag_key').all();
        assert.deepEqual(back.map((r) => [r.tag_key, r.tag_value]), [...large.tags.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
      } finally {
        db.close();
      }
    });
  });

  for (const [what, file] of [['a byte flipped in the middle of the encrypted payload', () => large.corruptedMiddle], ['a flipped GCM tag', () => large.corruptedTag], ['a mistyped row in a payload that does not match its header', () => large.mistyped]] as const) {
    it(`refuses ${what} (signed again) and leaves the database empty`, async () => {
      await withDatabase(async (pg, url) => {
        await assert.rejects(restoreBackup(file(), { to: url, root: { devRootFile: large.rootFile } }), (e) => e instanceof BackupRefused && /payload is corrupted|does not decrypt|does not match/.test(e.message));
        assert.deepEqual(await nonEmptyTables(pg), []);
      });
    });
  }

  it('rolls back every row when the source refuses in finish, after the last table', async () => {
    await withDatabase(async (pg) => {
      const source = {
        chains: [],
        async *rowsOf(spec: { table: string }) {
          if (spec.table === 'principals') yield ['p-1', 'user', 'someone', 'arn:aws:iam::111122223333:user/someone', 0];
        },
        finish: async () => {
          throw new BackupRefused('the backup payload does not decrypt (altered or corrupted)');
        },
      };
      await assert.rejects(restoreIntoPostgres(pg, source), /does not decrypt/);
      assert.deepEqual(await nonEmptyTables(pg), []);
    });
  });
});
