import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AuditEvent } from '../../src/core/audit.js';
import { readAuditConfig } from '../../src/server/audit-config.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { rawRequest } from '../helpers/raw-request.js';
import { removeDir, tempDataDir } from '../helpers/server.js';

describe('the JSONL file sink', () => {
  let s: InProcessServer;
  const dir = tempDataDir();
  const sinkDir = join(dir, 'not-yet');
  const path = join(sinkDir, 'audit.jsonl');
  before(async () => {
    s = await startInProcess({ audit: { sinks: [{ type: 'file', path, maxBytes: 8192, maxFiles: 2 }], sinkIntervalMs: 60_000 } });
  });
  after(async () => {
    await s.close();
    removeDir(dir);
  });

  it('a failing sink is retried and reported in /readyz without blocking requests, then catches up with rotation', async () => {
    for (let i = 0; i < 30; i++) assert.equal((await rawRequest(s, { target: 'TrentService.GenerateRandom', body: '{"NumberOfBytes": 4}' })).status, 200);
    const sink = s.app.auditSinks[0];
    assert.ok(sink);
    await sink.flush();
    assert.equal(sink.status().healthy, false, 'the directory does not exist yet');
    const ready = (await (await fetch(`${s.endpoint}/readyz`)).json()) as { status: string; auditSinks: { healthy: boolean; failures: number }[] };
    assert.equal(ready.status, 'ready', 'a sink failure does not make the service unready');
    assert.equal(ready.auditSinks[0]?.healthy, false);
    assert.ok((ready.auditSinks[0]?.failures ?? 0) >= 1);

    mkdirSync(sinkDir);
    await sink.flush();
    assert.equal(sink.status().healthy, true);
    const total = s.app.audit.size;
    assert.equal(sink.status().delivered, total);
    const files = readdirSync(sinkDir).filter((f) => f !== 'audit.jsonl.cursor');
    assert.ok(files.length >= 2 && files.length <= 3, `rotated, keeping at most 2 old files: ${files.join(', ')}`);
    const current = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditEvent);
    assert.equal(current.at(-1)?.arca?.sequence, total, 'the live file ends with the newest event');
    const seqs = current.map((e) => e.arca?.sequence ?? 0);
    assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => (seqs[0] ?? 0) + i), 'in order, no gaps');
    assert.equal(readFileSync(`${path}.cursor`, 'utf8'), String(total));
  });

  it('the audit config file sets sinks and cadence and refuses unknown settings', () => {
    const file = join(dir, 'arca.yaml');
    writeFileSync(file, 'audit:\n  checkpointEvery: 500\n  sinks:\n    - type: file\n      path: logs/audit.jsonl\n');
    const c = readAuditConfig(file);
    assert.equal(c.checkpointEvery, 500);
    assert.equal(c.sinks?.[0]?.path, join(dir, 'logs/audit.jsonl'));
    writeFileSync(file, 'audit:\n  sinks:\n    - type: webhook\n      url: http://x\n');
    assert.throws(() => readAuditConfig(file));
    writeFileSync(file, 'audit:\n  checkpointEvry: 5\n');
    assert.throws(() => readAuditConfig(file), /checkpointEvry|Unrecognized/);
  });
});
