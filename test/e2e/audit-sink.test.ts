import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AuditEvent } from '../../src/core/audit.js';
import { readAuditConfig } from '../../src/server/audit-config.js';
import { loadServerConfig } from '../../src/server/config.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { rawRequest } from '../helpers/raw-request.js';
import { removeDir, tempDataDir } from '../helpers/server.js';

describe('the JSONL file sink', () => {
  let s: InProcessServer;
  const dir = tempDataDir();
  const sinkDir = join(dir, 'not-yet');
  const path = join(sinkDir, 'audit.jsonl');
  before(async () => {
    s = await startInProcess({ audit: { sinks: [{ type: 'file', path, maxBytes: 8192, maxFiles: 2 }], sinkIntervalMs: 60_000 }, metrics: {} });
  });
  const lag = async () => {
    const text = await (await fetch(`${s.endpoint}/metrics`)).text();
    return Number(/^arca_audit_sink_lag_events\{sink="file:[^"]+"\} (\d+)$/m.exec(text)?.[1] ?? NaN);
  };
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
    assert.equal(await lag(), s.app.audit.size, 'arca_audit_sink_lag_events: nothing delivered yet');
    assert.ok(s.app.audit.size >= 30);

    mkdirSync(sinkDir);
    await sink.flush();
    assert.equal(sink.status().healthy, true);
    const total = s.app.audit.size;
    assert.equal(await lag(), 0, 'arca_audit_sink_lag_events: caught up');
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
    assert.deepEqual(c.sinks?.[0], { type: 'file', path: join(dir, 'logs/audit.jsonl') });
    writeFileSync(file, 'audit:\n  sinks:\n    - type: kafka\n      url: http://x\n');
    assert.throws(() => readAuditConfig(file));
    writeFileSync(file, 'audit:\n  checkpointEvry: 5\n');
    assert.throws(() => readAuditConfig(file), /checkpointEvry|Unrecognized/);
    const server = loadServerConfig('dataDir: /tmp/x\ntls: { enabled: false }\naudit:\n  durability: sqlite-full\n  sinks:\n    - { type: syslog, host: logs, port: 514, protocol: tcp }\n', {});
    assert.ok(server.ok && server.config.audit?.durability === 'sqlite-full' && server.config.audit.sinks?.[0]?.type === 'syslog', 'arca server --config takes the same audit section');
    assert.equal(loadServerConfig('dataDir: /tmp/x\ntls: { enabled: false }\naudit:\n  sinks:\n    - { type: kafka }\n', {}).ok, false);
  });
});

describe('syslog and webhook sinks', () => {
  it('deliver every event as RFC 5424 over UDP and TCP and as webhook batches, retrying a failing webhook', async () => {
    const udp = createSocket('udp4');
    const udpMessages: string[] = [];
    udp.on('message', (m) => udpMessages.push(m.toString('utf8')));
    await new Promise<void>((ok) => udp.bind(0, '127.0.0.1', ok));
    let tcpData = '';
    const tcp = createTcpServer((sock) => sock.on('data', (d) => (tcpData += d.toString('utf8'))));
    await new Promise<void>((ok) => tcp.listen(0, '127.0.0.1', ok));
    const batches: { events: AuditEvent[] }[] = [];
    let failNext = true;
    const hook = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString('utf8')));
      req.on('end', () => {
        if (failNext) {
          failNext = false;
          res.writeHead(503).end();
          return;
        }
        batches.push(JSON.parse(body) as { events: AuditEvent[] });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((ok) => hook.listen(0, '127.0.0.1', ok));
    const port = (x: { address(): unknown }): number => (x.address() as { port: number }).port;
    const s = await startInProcess({
      audit: {
        sinkIntervalMs: 60_000,
        sinks: [
          { type: 'syslog', host: '127.0.0.1', port: port(udp), protocol: 'udp' },
          { type: 'syslog', host: '127.0.0.1', port: port(tcp), protocol: 'tcp' },
          { type: 'webhook', url: `http://127.0.0.1:${port(hook)}/audit`, batchSize: 3 },
        ],
      },
    });
    try {
      for (let i = 0; i < 5; i++) await rawRequest(s, { target: 'TrentService.GenerateRandom', body: '{"NumberOfBytes": 4}' });
      await rawRequest(s, { target: 'TrentService.Nope', body: '{}' });
      const total = s.app.audit.size;
      for (const sink of s.app.auditSinks) await sink.flush();
      const [, , webhook] = s.app.auditSinks;
      assert.equal(webhook?.status().healthy, false, 'the first webhook call failed');
      await webhook?.flush();
      assert.ok(s.app.auditSinks.every((k) => k.status().healthy && k.status().delivered === total));
      await new Promise((ok) => setTimeout(ok, 100));

      assert.equal(udpMessages.length, total);
      assert.match(udpMessages[0] ?? '', /^<110>1 \S+Z \S+ arca \d+ GenerateRandom - \{/);
      assert.match(udpMessages.at(-1) ?? '', /^<108>1 .* TrentService\.Nope - /, 'failures are warnings');
      const framed: string[] = [];
      for (let rest = tcpData; rest.length > 0; ) {
        const sp = rest.indexOf(' ');
        const len = Number(rest.slice(0, sp));
        framed.push(Buffer.from(rest.slice(sp + 1)).subarray(0, len).toString('utf8'));
        rest = Buffer.from(rest.slice(sp + 1)).subarray(len).toString('utf8');
      }
      assert.deepEqual(framed, udpMessages);
      const delivered = batches.flatMap((b) => b.events.map((e) => e.arca?.sequence));
      assert.deepEqual(delivered, Array.from({ length: total }, (_, i) => i + 1));
      assert.ok(batches.every((b) => b.events.length <= 3));
    } finally {
      await s.close();
      udp.close();
      tcp.close();
      hook.close();
    }
  });
});
