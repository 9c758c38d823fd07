import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { AuditEvent } from '../core/audit.js';
import type { BackupMaker } from '../core/backup-file.js';
import { KmsError } from '../core/errors.js';
import type { Alert } from '../service/detection/alert.js';
import { BackupScheduler, newestScheduledBackup, pruneScheduledBackups, scheduledBackups, SCHEDULED_BACKUP_PREFIX, type BackupObserver } from './backup-schedule.js';

const realm = { partition: 'aws' as const, region: 'us-east-1', account: '111122223333' };
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'arca-bsched-'));
  dirs.push(d);
  return d;
}

/** A maker writing a small scheduled file named after the fake clock, or failing while `fail` is set. */
function fakeMaker(dir: string, clock: { now(): Date }, state: { fail?: string | undefined }): BackupMaker {
  let n = 0;
  return {
    async create() {
      if (state.fail !== undefined) throw new KmsError('Internal', state.fail);
      const now = clock.now();
      const path = join(dir, `${SCHEDULED_BACKUP_PREFIX}-${now.toISOString().replace(/[:.]/g, '-')}-${String(n++).padStart(8, '0')}.arcabak`);
      writeFileSync(path, 'backup');
      return { path, bytes: 6, sha256: 'x', header: { createdAt: now.toISOString() } as never };
    },
  };
}

function harness(options: { retain?: number; leader?: boolean; unsealed?: boolean } = {}) {
  const dir = tempDir();
  let t = Date.parse('2026-01-01T00:00:00Z');
  const clock = { now: () => new Date(t) };
  const state: { fail?: string | undefined; unsealed: boolean; leader: boolean } = { unsealed: options.unsealed ?? true, leader: options.leader ?? true };
  const events: AuditEvent[] = [];
  const alerts: Alert[] = [];
  const seen = { successes: [] as { at: Date; bytes: number }[], failures: 0 };
  const observer: BackupObserver = { backupSucceeded: (at, _s, bytes) => void seen.successes.push({ at, bytes }), backupFailed: () => void seen.failures++ };
  const errors: string[] = [];
  const scheduler = new BackupScheduler({
    maker: fakeMaker(dir, clock, state), dir, everyMs: 3_600_000, retain: options.retain ?? 2,
    lease: { acquire: async () => state.leader }, unsealed: () => state.unsealed, clock, realm,
    logger: { ...silent, error: (m: string, f?: Record<string, unknown>) => void errors.push(`${m} ${JSON.stringify(f)}`) },
    audit: { append: async (e: AuditEvent) => void events.push(e) }, observer, alerts: { raise: (a) => void alerts.push(a) },
  });
  return { dir, scheduler, state, events, alerts, seen, errors, advance: (ms: number) => void (t += ms) };
}

describe('BackupScheduler', () => {
  it('ticks at every multiple of the period since the epoch (UTC)', () => {
    const { scheduler } = harness();
    assert.equal(scheduler.nextTick(new Date('2026-01-01T05:59:59.999Z')).toISOString(), '2026-01-01T06:00:00.000Z');
    assert.equal(scheduler.nextTick(new Date('2026-01-01T06:00:00.000Z')).toISOString(), '2026-01-01T07:00:00.000Z');
  });

  it('makes a file per tick, keeps the newest `retain` scheduled files, and never a manual one', async () => {
    const h = harness({ retain: 2 });
    writeFileSync(join(h.dir, 'arca-backup-2025-01-01T00-00-00-000Z-aaaaaaaa.arcabak'), 'manual');
    writeFileSync(join(h.dir, 'notes.txt'), 'mine');
    const made: string[] = [];
    for (let i = 0; i < 4; i++) {
      const tick = await h.scheduler.runOnce();
      assert.equal(tick.outcome, 'made');
      if (tick.outcome === 'made') made.push(tick.path);
      h.advance(3_600_000);
    }
    assert.deepEqual(scheduledBackups(h.dir), made.slice(2).map((p) => p.slice(h.dir.length + 1)));
    assert.ok(existsSync(join(h.dir, 'arca-backup-2025-01-01T00-00-00-000Z-aaaaaaaa.arcabak')), 'the manual backup stays');
    assert.ok(existsSync(join(h.dir, 'notes.txt')));
    assert.equal(h.seen.successes.length, 4);
    assert.equal(h.seen.successes[3]?.at.toISOString(), '2026-01-01T03:00:00.000Z');
    const event = h.events[0];
    assert.equal(event?.eventName, 'CreateBackup');
    assert.equal(event?.userIdentity.type, 'ServiceAccount');
    assert.equal(event?.userAgent, 'arca-scheduler');
    assert.deepEqual(event?.requestParameters, { scheduled: true });
    assert.equal(event?.responseElements?.['path'], made[0]);
  });

  it('a failure is counted, logged at error, audited and alerted, deletes nothing; the next tick succeeds', async () => {
    const h = harness({ retain: 1 });
    assert.equal((await h.scheduler.runOnce()).outcome, 'made');
    h.advance(3_600_000);
    h.state.fail = 'ENOSPC: no space left on device';
    const failed = await h.scheduler.runOnce();
    assert.deepEqual(failed, { outcome: 'failed', error: 'ENOSPC: no space left on device' });
    assert.equal(scheduledBackups(h.dir).length, 1, 'the last good file stays');
    assert.equal(h.seen.failures, 1);
    assert.match(h.errors[0] ?? '', /scheduled backup failed.*ENOSPC/);
    assert.equal(h.events[1]?.errorCode, 'Internal');
    assert.equal(h.alerts.length, 1);
    assert.equal(h.alerts[0]?.type, 'backupFailed');
    assert.equal(h.alerts[0]?.rule, 'scheduled-backup');
    h.state.fail = undefined;
    h.advance(3_600_000);
    const next = await h.scheduler.runOnce();
    assert.equal(next.outcome, 'made');
    if (next.outcome === 'made') assert.equal(next.removed.length, 1);
    assert.equal(h.seen.successes.at(-1)?.at.toISOString(), '2026-01-01T02:00:00.000Z');
    assert.equal(h.seen.failures, 1);
  });

  it('a node without the lease or sealed makes nothing and counts no failure', async () => {
    const follower = harness({ leader: false });
    assert.deepEqual(await follower.scheduler.runOnce(), { outcome: 'skipped', reason: 'follower' });
    const sealed = harness({ unsealed: false });
    assert.deepEqual(await sealed.scheduler.runOnce(), { outcome: 'skipped', reason: 'sealed' });
    for (const h of [follower, sealed]) {
      assert.deepEqual(readdirSync(h.dir), []);
      assert.equal(h.seen.failures, 0);
      assert.equal(h.events.length, 0);
    }
  });

  it('the timer runs a tick once when it comes, even if the clock still reads just before it', async () => {
    const h = harness();
    // The clock stays 30 ms before a tick: the timer fires after 30 ms; a re-arm from the clock alone would fire again at once.
    h.advance(3_600_000 - 30);
    h.scheduler.start();
    await new Promise((r) => setTimeout(r, 300));
    await h.scheduler.stop();
    assert.equal(h.seen.successes.length, 1);
  });

  it('start reports a backup.dir that cannot be made at once, at error', async () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, '');
    const errors: string[] = [];
    const scheduler = new BackupScheduler({
      maker: fakeMaker(file, { now: () => new Date() }, {}), dir: join(file, 'backups'), everyMs: 3_600_000, retain: 1, lease: { acquire: async () => true },
      unsealed: () => true, clock: { now: () => new Date() }, realm, logger: { ...silent, error: (m: string) => void errors.push(m) },
    });
    scheduler.start();
    await scheduler.stop();
    assert.deepEqual(errors, ['backup.dir is not usable: scheduled backups will fail until it is']);
  });

  it('ticks do not overlap', async () => {
    const h = harness();
    const first = h.scheduler.runOnce();
    assert.deepEqual(await h.scheduler.runOnce(), { outcome: 'skipped', reason: 'running' });
    assert.equal((await first).outcome, 'made');
  });
});

describe('scheduled backup files', () => {
  it('prune keeps the file just made even when newer names exist, and at least one file', () => {
    const dir = tempDir();
    for (const n of ['2026-01-01', '2026-01-02', '2026-01-03']) writeFileSync(join(dir, `arca-scheduled-${n}T00-00-00-000Z-x.arcabak`), '');
    const keep = join(dir, 'arca-scheduled-2026-01-01T00-00-00-000Z-x.arcabak');
    assert.deepEqual(pruneScheduledBackups(dir, 1, keep), ['arca-scheduled-2026-01-02T00-00-00-000Z-x.arcabak']);
    assert.deepEqual(scheduledBackups(dir), ['arca-scheduled-2026-01-01T00-00-00-000Z-x.arcabak', 'arca-scheduled-2026-01-03T00-00-00-000Z-x.arcabak']);
    assert.deepEqual(pruneScheduledBackups(dir, 0, join(dir, 'none')), ['arca-scheduled-2026-01-01T00-00-00-000Z-x.arcabak']);
  });

  it('the newest scheduled file gives the last success at start; none in a missing directory', () => {
    const dir = tempDir();
    assert.equal(newestScheduledBackup(join(dir, 'missing')), undefined);
    writeFileSync(join(dir, 'arca-backup-2030-01-01T00-00-00-000Z-x.arcabak'), '');
    assert.equal(newestScheduledBackup(dir), undefined, 'a manual file is not a scheduled one');
    writeFileSync(join(dir, 'arca-scheduled-2026-01-01T00-00-00-000Z-x.arcabak'), '');
    assert.ok(newestScheduledBackup(dir) instanceof Date);
  });
});
