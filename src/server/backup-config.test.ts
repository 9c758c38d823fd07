import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDuration } from './backup-config.js';
import { loadServerConfig } from './config.js';

const base = 'dataDir: /tmp/x\ntls: { enabled: false }\n';
const errorsOf = (yaml: string): readonly string[] => {
  const r = loadServerConfig(yaml, {});
  return r.ok ? [] : r.errors;
};

describe('backup: schedule and retain in arca.yaml', () => {
  it('parses durations with s, m, h, d units and nothing else', () => {
    assert.equal(parseDuration('6h'), 6 * 3_600_000);
    assert.equal(parseDuration('1h30m'), 90 * 60_000);
    assert.equal(parseDuration('1d'), 86_400_000);
    for (const bad of ['', '6', 'h', '6 h', '1.5h', '6w', '-1h']) assert.equal(parseDuration(bad), undefined, bad);
  });

  it('accepts a schedule with retain, and a dir alone', () => {
    const r = loadServerConfig(`${base}backup: { dir: /b, schedule: { every: 6h }, retain: 4 }\n`, {});
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.config.backup, { dir: '/b', schedule: { every: 6 * 3_600_000 }, retain: 4 });
    const dirOnly = loadServerConfig(`${base}backup: { dir: /b }\n`, {});
    assert.ok(dirOnly.ok);
    assert.equal(dirOnly.config.backup?.schedule, undefined);
  });

  it('reports a bad schedule or retain clearly, at startup', () => {
    for (const every of ['30s', '6', '31d', 'daily', '"0 2 * * *"']) {
      assert.ok(errorsOf(`${base}backup: { schedule: { every: ${every} } }\n`).some((e) => e.startsWith('backup.schedule.every: must be a duration such as 30m, 6h')), every);
    }
    assert.ok(errorsOf(`${base}backup: { schedule: { cron: x } }\n`).some((e) => e.startsWith('backup.schedule')));
    assert.ok(errorsOf(`${base}backup: { schedule: { every: 1h }, retain: 0 }\n`).some((e) => e === 'backup.retain: must keep at least 1 file'));
    assert.ok(errorsOf(`${base}backup: { schedule: { every: 1h }, retain: 2.5 }\n`).some((e) => e.startsWith('backup.retain: must be a whole number')));
    assert.ok(errorsOf(`${base}backup: { retain: 3 }\n`).some((e) => e === 'backup.retain: applies to scheduled backups only: give backup.schedule.every too'));
  });
});
