/**
 * Scheduled backups on a real server (issue 15): files appear on the schedule, retention deletes the
 * oldest scheduled files and never one made by `arca backup create`, a failure is counted, logged,
 * audited and alerted, and the next success sets the timestamp metric.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inspectBackup } from '../../src/server/backup.js';
import { scheduledBackups } from '../../src/server/backup-schedule.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { rawRequest } from '../helpers/raw-request.js';
import { removeDir, tempDataDir } from '../helpers/server.js';

async function until<T>(what: string, probe: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function metric(s: InProcessServer, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${s.endpoint}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

describe('scheduled backups on a running server', () => {
  const work = tempDataDir('arca-bsched-');
  const dir = join(work, 'backups');
  let s: InProcessServer;

  before(async () => {
    s = await startInProcess({ metrics: {}, backup: { dir, schedule: { every: 300 }, retain: 2 } });
  });
  after(async () => {
    await s.close();
    removeDir(work);
  });

  it('the schedule writes signed backup files of the CreateBackup format by itself', async () => {
    assert.equal(await metric(s, 'arca_backup_last_success_timestamp_seconds'), 0, 'no scheduled backup yet');
    assert.equal(await metric(s, 'arca_backup_schedule_interval_seconds'), 0.3);
    const first = await until('a scheduled file', () => scheduledBackups(dir)[0]);
    await s.app.backupSchedule?.stop();
    const report = inspectBackup(readFileSync(join(dir, first)));
    assert.equal(report.header.source.engine, 'sqlite');
    assert.ok((report.header.counts['keys'] ?? -1) >= 0);
    assert.ok((await metric(s, 'arca_backup_last_success_timestamp_seconds') ?? 0) > Date.now() / 1000 - 60);
    assert.ok((await metric(s, 'arca_backup_last_size_bytes') ?? 0) > 0);
    assert.ok((await metric(s, 'arca_backup_duration_seconds') ?? 0) > 0);
    const events = (await s.app.audit.list(10_000)).filter((e) => e.eventName === 'CreateBackup');
    assert.ok(events.some((e) => e.userAgent === 'arca-scheduler' && e.userIdentity.type === 'ServiceAccount' && e.requestParameters?.['scheduled'] === true));
  });

  it('retention keeps the newest scheduled files and never the one made with arca backup create', async () => {
    const manual = await rawRequest(s, { target: 'ArcaService.CreateBackup', body: '{}' });
    assert.equal(manual.status, 200, manual.body);
    const manualPath = String(manual.json()['Path']);
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      const tick = await s.app.backupSchedule!.runOnce();
      assert.equal(tick.outcome, 'made', JSON.stringify(tick));
      if (tick.outcome === 'made') made.push(tick.path);
    }
    assert.deepEqual(scheduledBackups(dir).map((n) => join(dir, n)), made.slice(1));
    assert.ok(existsSync(manualPath), 'the manual backup stays');
    assert.ok(readdirSync(dir).some((n) => n.startsWith('arca-backup-')));
  });

  it('a failure (a file where the directory should be) is counted, logged, audited and alerted; the next success sets the timestamp', async () => {
    const before = await metric(s, 'arca_backup_last_success_timestamp_seconds');
    assert.equal(await metric(s, 'arca_backup_failures_total'), 0);
    renameSync(dir, `${dir}.away`);
    writeFileSync(dir, 'not a directory');
    const failed = await s.app.backupSchedule!.runOnce();
    assert.equal(failed.outcome, 'failed');
    assert.equal(await metric(s, 'arca_backup_failures_total'), 1);
    assert.equal(await metric(s, 'arca_backup_last_success_timestamp_seconds'), before);
    assert.ok(s.logs.some((l) => l.includes('"level":"error"') && l.includes('scheduled backup failed')), s.logs.join('\n'));
    await s.app.detection.drain();
    const events = await s.app.audit.list(10_000);
    const failedEvent = events.find((e) => e.eventName === 'CreateBackup' && e.errorCode !== undefined);
    assert.equal(failedEvent?.errorCode, 'Internal');
    const alert = events.find((e) => e.eventName === 'Alert' && e.additionalEventData?.['type'] === 'backupFailed');
    assert.equal(alert?.additionalEventData?.['rule'], 'scheduled-backup');
    const listed = await rawRequest(s, { target: 'ArcaService.ListAlerts', body: JSON.stringify({ Rule: 'scheduled-backup' }) });
    assert.equal((listed.json()['Alerts'] as unknown[]).length, 1, listed.body);

    rmSync(dir);
    renameSync(`${dir}.away`, dir);
    await new Promise((r) => setTimeout(r, 20));
    const next = await s.app.backupSchedule!.runOnce();
    assert.equal(next.outcome, 'made');
    assert.ok((await metric(s, 'arca_backup_last_success_timestamp_seconds') ?? 0) > (before ?? 0));
    assert.equal(await metric(s, 'arca_backup_failures_total'), 1);
  });
});
