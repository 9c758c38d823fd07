/**
 * Scheduled backups in a cluster (issue 15): two `arca server` nodes (this process) on one PostgreSQL
 * database, each with its own backup directory. A tick on both nodes makes ONE file, on the node that
 * holds the scheduler lease; when that node stops, the other takes the lease and backs up.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { inspectBackup } from '../../src/server/backup.js';
import { scheduledBackups } from '../../src/server/backup-schedule.js';
import { describeWithPostgres } from '../helpers/postgres.js';
import { initialize, startSealedServer, unsealWith, type SealedServer } from '../helpers/sealed-server.js';
import { removeDir, tempDataDir } from '../helpers/server.js';

describeWithPostgres('scheduled backups on a two-node PostgreSQL cluster', (cluster) => {
  const dirs: string[] = [];
  const nodes: SealedServer[] = [];
  const backupDir = (i: number) => join(dirs[i] as string, 'scheduled');

  before(async () => {
    const url = cluster().url(await cluster().createDatabase());
    for (const name of ['node-a', 'node-b']) {
      const dir = tempDataDir();
      dirs.push(dir);
      // A period of 30 days: the timer does not fire during the test; the ticks are run by hand.
      nodes.push(await startSealedServer(dir, { type: 'shamir' }, {}, { config: { storage: { type: 'postgres', url }, nodeName: name, backup: { dir: join(dir, 'scheduled'), schedule: { every: '30d' }, retain: 3 } } }));
    }
    const [a, b] = nodes as [SealedServer, SealedServer];
    const { shares } = await initialize(a, 3, 2);
    await unsealWith(a, shares.slice(0, 2));
    await unsealWith(b, shares.slice(0, 2));
  });
  after(async () => {
    for (const n of nodes) await n.close().catch(() => undefined);
    for (const d of dirs) removeDir(d);
  });

  it('a tick on both nodes writes one file, on the lease holder only', async () => {
    const ticks = await Promise.all(nodes.map((n) => n.app.backupSchedule!.runOnce()));
    assert.deepEqual(ticks.map((t) => t.outcome).sort(), ['made', 'skipped'], JSON.stringify(ticks));
    const leader = ticks.findIndex((t) => t.outcome === 'made');
    assert.deepEqual(ticks[1 - leader], { outcome: 'skipped', reason: 'follower' });
    assert.equal(scheduledBackups(backupDir(leader)).length, 1);
    assert.equal(scheduledBackups(backupDir(1 - leader)).length, 0, 'the follower wrote nothing');
    const file = join(backupDir(leader), scheduledBackups(backupDir(leader))[0] as string);
    const header = inspectBackup(readFileSync(file)).header;
    assert.equal(header.source.engine, 'postgres');
    assert.equal(header.chains.length, 2, 'the file holds both nodes\' audit chains');
    // A second round: still one new file, on the same node.
    await Promise.all(nodes.map((n) => n.app.backupSchedule!.runOnce()));
    assert.equal(scheduledBackups(backupDir(leader)).length, 2);
    assert.equal(scheduledBackups(backupDir(1 - leader)).length, 0);
  });

  it('when the leader stops, the other node takes the lease at its next tick and backs up', async () => {
    const leader = scheduledBackups(backupDir(0)).length > 0 ? 0 : 1;
    await (nodes[leader] as SealedServer).close();
    const survivor = nodes[1 - leader] as SealedServer;
    const tick = await survivor.app.backupSchedule!.runOnce();
    assert.equal(tick.outcome, 'made', JSON.stringify(tick));
    assert.equal(scheduledBackups(backupDir(1 - leader)).length, 1);
  });
});
