import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { removeDir, tempDataDir } from '../../test/helpers/server.js';
import { SIGNATURE_HEADER, signatureOf, WebhookDelivery } from './alert-webhooks.js';
import { resolveDetection } from './detection-config.js';
import { loadServerConfig } from './config.js';

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** A receiver that answers `statuses` in turn (then 200) and keeps each body and signature header. */
async function receiver(statuses: number[]) {
  const got: { body: string; signature: string | undefined; at: number }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ body: Buffer.concat(chunks).toString('utf8'), signature: req.headers[SIGNATURE_HEADER.toLowerCase()] as string | undefined, at: Date.now() });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { got, url, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

const until = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('alert webhooks', () => {
  it('POSTs the body signed with sha256=<hex HMAC> that a receiver recomputes', async () => {
    const r = await receiver([]);
    const w = new WebhookDelivery({ url: r.url, secret: 'shh-its-a-secret' }, silent);
    w.send('a1', '{"alert":1}');
    await until(() => w.delivered === 1);
    const [got] = r.got;
    assert.equal(got?.body, '{"alert":1}');
    const expected = Buffer.from(`sha256=${createHmac('sha256', 'shh-its-a-secret').update(got?.body ?? '').digest('hex')}`);
    assert.ok(timingSafeEqual(Buffer.from(got?.signature ?? ''), expected));
    assert.equal(signatureOf('{"alert":1}', 'shh-its-a-secret'), expected.toString());
    w.close();
    await r.close();
  });

  it('retries with backoff until the receiver accepts, keeping order', async () => {
    const r = await receiver([500, 503]);
    const w = new WebhookDelivery({ url: r.url }, silent, { initialBackoffMs: 50 });
    w.send('a1', 'one');
    w.send('a2', 'two');
    await until(() => w.delivered === 2);
    assert.deepEqual(r.got.map((g) => g.body), ['one', 'one', 'one', 'two']);
    assert.equal(r.got[0]?.signature, undefined, 'no secret, no signature');
    // 50 ms, then 100 ms between the tries.
    assert.ok((r.got[2]?.at ?? 0) - (r.got[0]?.at ?? 0) >= 140);
    w.close();
    await r.close();
  });

  it('gives up after maxAttempts and goes on with the next alert', async () => {
    const r = await receiver([500, 500, 500]);
    const w = new WebhookDelivery({ url: r.url }, silent, { initialBackoffMs: 10, maxAttempts: 2 });
    w.send('a1', 'one');
    w.send('a2', 'two');
    await until(() => w.delivered === 1);
    assert.equal(w.failed, 1);
    assert.deepEqual(r.got.map((g) => g.body), ['one', 'one', 'two', 'two']);
    w.close();
    await r.close();
  });

  it('a webhook over plain http must be on loopback', () => {
    assert.throws(() => new WebhookDelivery({ url: 'http://alerts.example.com/hook' }, silent), /https is required/);
    new WebhookDelivery({ url: 'https://alerts.example.com/hook' }, silent).close();
  });
});

describe('detection: in arca.yaml', () => {
  const base = { dataDir: '/tmp/x', tls: { enabled: false } };

  it('absent: the default rules, no webhook', () => {
    const r = resolveDetection(undefined, {});
    assert.deepEqual(r.config?.settings.rules.map((x) => x.name), ['failure-burst', 'decrypt-volume', 'new-source-network', 'off-hours', 'idle-key']);
    assert.deepEqual(r.config?.webhooks, []);
  });

  it('reads and validates a rules file, and takes webhook secrets from the environment', () => {
    const dir = tempDataDir();
    try {
      const file = join(dir, 'rules.yaml');
      writeFileSync(file, 'rules:\n  - { name: burst, type: failureBurst, threshold: 3, windowSeconds: 30, action: { type: block } }\n');
      const yaml = JSON.stringify({ ...base, detection: { rulesFile: file, webhooks: [{ url: 'http://127.0.0.1:9/hook', secretEnv: 'HOOK_SECRET' }] } });
      const loaded = loadServerConfig(yaml, { HOOK_SECRET: 's3cret' });
      assert.ok(loaded.ok, JSON.stringify(loaded));
      const r = resolveDetection(loaded.config.detection, { HOOK_SECRET: 's3cret' });
      assert.deepEqual(r.config?.settings.rules.map((x) => [x.name, x.action?.scope]), [['burst', 'principal']]);
      assert.deepEqual(r.config?.webhooks, [{ url: 'http://127.0.0.1:9/hook', secret: 's3cret' }]);
      writeFileSync(file, 'rules:\n  - { name: burst, type: failureBurst, threshold: 0, windowSeconds: 30 }\n');
      const bad = loadServerConfig(yaml, {});
      assert.ok(!bad.ok);
      assert.ok(bad.errors.some((e) => e.includes('detection.rulesFile') && e.includes('0.threshold')), bad.errors.join('\n'));
      assert.ok(bad.errors.some((e) => e.includes('HOOK_SECRET is not set')), bad.errors.join('\n'));
    } finally {
      removeDir(dir);
    }
  });

  it('every problem of the section is reported', () => {
    const yaml = JSON.stringify({ ...base, detection: { rules: [{ name: 'x', type: 'nope' }], rulesFile: '/nonexistent', webhooks: [{ url: 'http://example.com/' }] } });
    const r = loadServerConfig(yaml, {});
    assert.ok(!r.ok);
    assert.ok(r.errors.some((e) => e.startsWith('detection.rules.0.type')), r.errors.join('\n'));
  });
});
