import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { BackupRefused } from '../../src/core/backup-file.js';
import { createBackupFile } from '../../src/server/backup-command.js';
import { restoreBackup } from '../../src/server/backup.js';
import type { ApprovalRequest, ApprovalRule } from '../../src/core/approval.js';
import { approvalRequest, approvalRule } from '../../src/store/contract/approval-store.contract.js';
import { nonEmptyTables } from '../../src/store/migrate/copy-to-postgres.js';
import { PostgresDatabase } from '../../src/store/postgres/database.js';
import { postgresStores } from '../../src/store/postgres/postgres-stores.js';
import { openDatabase } from '../../src/store/sqlite/database.js';
import { SqliteApprovalStore } from '../../src/store/sqlite/sqlite-approval-store.js';
import { backupRows, loseDataDir, populateForDrill, serveRestored, type DrillData } from '../helpers/backup-drill.js';
import { startInProcess } from '../helpers/in-process.js';
import { kmsClient } from '../helpers/kms-client.js';
import { TestClock } from '../helpers/lifecycle.js';
import { describeWithPostgres } from '../helpers/postgres.js';
import { removeDir, tempDataDir } from '../helpers/server.js';

describeWithPostgres('arca backup across engines: SQLite -> PostgreSQL -> SQLite', (cluster) => {
  const work = tempDataDir('arca-backup-pg-');
  const rootFile = join(work, 'kept-dev-root.key');
  const fromSqlite = join(work, 'from-sqlite.arcabak');
  let data: DrillData;
  /** The approval rules and requests of the source store (issue 18): a backup carries them across engines. */
  let approvals: { rules: readonly ApprovalRule[]; requests: readonly ApprovalRequest[] };

  before(async () => {
    const source = join(work, 'source');
    mkdirSync(source);
    const clock = new TestClock();
    const server = await startInProcess({ dataDir: source, clock, schedulerIntervalMs: 0 });
    const kms = kmsClient(server);
    try {
      data = await populateForDrill(kms, clock, () => server.app.scheduler.runNow());
      const store = server.app.store.approvals;
      await store.putApprovalRule(approvalRule('deletions'));
      await store.createApprovalRequest(approvalRequest(1, 0));
      await store.decideApprovalRequest(approvalRequest(1, 0).approvalId, 'Pending', { approverArn: 'arn:aws:iam::111122223333:user/bob', approverId: 'AIDABOB', decision: 'Approve', reason: 'ok', at: new Date(1) }, 'Approved');
      await store.markApprovalExecuted(approvalRequest(1, 0).approvalId, new Date(2), 'arn:aws:iam::111122223333:user/alice');
      await store.createApprovalRequest(approvalRequest(2, 1));
      approvals = { rules: await store.listApprovalRules(), requests: await store.listApprovalRequests({ limit: 10 }) };
      assert.deepEqual(approvals.requests.map((r) => r.status), ['Pending', 'Executed']);
      assert.ok(await server.app.audit.checkpoint());
      await createBackupFile(source, fromSqlite, {});
    } finally {
      kms.destroy();
      await server.close();
    }
    loseDataDir(source, rootFile);
  });
  after(() => removeDir(work));

  /** A dev data directory holding only the kept dev root file (the PostgreSQL node's root). */
  function devRootDir(name: string): string {
    const dir = join(work, name);
    mkdirSync(dir);
    copyFileSync(rootFile, join(dir, 'insecure-dev-root.key'));
    return dir;
  }

  it('drill: a SQLite backup restored into PostgreSQL serves every key, the trail verifies and continues; its backup restores into SQLite and serves too', async () => {
    const url = cluster().url(await cluster().createDatabase());
    const report = await restoreBackup(readFileSync(fromSqlite), { to: url, root: { devRootFile: rootFile } });
    assert.equal(report.engine, 'postgres');
    const pg = await PostgresDatabase.open({ url, pool: { max: 1 } });
    try {
      const restored = postgresStores(pg).approvals;
      assert.deepEqual({ rules: await restored.listApprovalRules(), requests: await restored.listApprovalRequests({ limit: 10 }) }, approvals);
    } finally {
      await pg.close();
    }
    const node = report.chains[0]!.node;
    await serveRestored(devRootDir('pg-node'), data, { storage: { type: 'postgres', url }, nodeName: node });

    // Back again: a backup of the PostgreSQL store (made by the command, the store served meanwhile), into SQLite.
    const fromPostgres = join(work, 'from-postgres.arcabak');
    const header = await createBackupFile(url, fromPostgres, { devRootFile: rootFile });
    assert.equal(header.source.engine, 'postgres');
    assert.ok(!header.source.location.includes('@127.0.0.1') || !/:[^*@/]+@/.test(header.source.location), 'no password in the header');
    const rows = await backupRows(readFileSync(fromPostgres), rootFile);
    assert.equal((rows.get('key_versions') ?? []).filter((r) => r[0] === data.destroyedKeyId).length, 0, 'no resurrection through PostgreSQL');
    const target = join(work, 'back-to-sqlite');
    const back = await restoreBackup(readFileSync(fromPostgres), { to: target, root: { devRootFile: rootFile } });
    assert.equal(back.engine, 'sqlite');
    const db = openDatabase(join(target, 'arca.db'));
    try {
      const restored = new SqliteApprovalStore(db);
      assert.deepEqual({ rules: await restored.listApprovalRules(), requests: await restored.listApprovalRequests({ limit: 10 }) }, approvals);
    } finally {
      db.close();
    }
    await serveRestored(target, data);
  });

  it('refuses a PostgreSQL database that is not empty, changing nothing in it', async () => {
    const url = cluster().url(await cluster().createDatabase());
    const pg = await PostgresDatabase.open({ url, pool: { max: 1 } });
    try {
      await pg.db.query("INSERT INTO principals (id, type, name, arn, created_at) VALUES ('p-1', 'user', 'someone', 'arn:aws:iam::111122223333:user/someone', now())");
      await assert.rejects(restoreBackup(readFileSync(fromSqlite), { to: url, root: { devRootFile: rootFile } }), (e) => e instanceof BackupRefused && /not empty \(rows in principals\)/.test(e.message));
      assert.deepEqual(await nonEmptyTables(pg), ['principals']);
      assert.equal((await pg.db.query('SELECT COUNT(*)::int AS n FROM principals')).rows[0]?.n, 1);
    } finally {
      await pg.close();
    }
  });
});
