import { CreateKeyCommand, DecryptCommand, EncryptCommand } from '@aws-sdk/client-kms';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { expectKmsError, kmsClient } from '../helpers/kms-client.js';
import { removeDir, tempDataDir } from '../helpers/server.js';

const TOKEN = 'metrics-token-0123456789';

/** The value of one sample line of the exposition text (`name{labels} value`), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics on the main listener, with a bearer token', () => {
  let server: InProcessServer;
  let keyId = '';
  before(async () => {
    server = await startInProcess({ metrics: { bearerToken: TOKEN } });
    const kms = kmsClient(server);
    keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId ?? '';
    await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('a') }));
    await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('b') }));
    await expectKmsError(kms.send(new DecryptCommand({ CiphertextBlob: Buffer.alloc(80, 1) })), 'InvalidCiphertextException');
  });
  after(() => server.close());

  it('answers 401 without the token, or with a wrong one', async () => {
    for (const authorization of [undefined, 'Bearer wrong', `Bearer ${TOKEN}x`]) {
      const r = await fetch(`${server.endpoint}/metrics`, { headers: authorization === undefined ? {} : { authorization } });
      assert.equal(r.status, 401, String(authorization));
      assert.doesNotMatch(await r.text(), /arca_/);
    }
  });

  it('counts requests by operation, outcome and error code, and never labels a key id', async () => {
    const r = await fetch(`${server.endpoint}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await r.text();
    assert.equal(sample(text, 'arca_requests_total{operation="Encrypt",outcome="success",error_code=""}'), 2);
    assert.equal(sample(text, 'arca_requests_total{operation="Decrypt",outcome="failure",error_code="InvalidCiphertext"}'), 1);
    assert.equal(sample(text, 'arca_request_duration_seconds_count{operation="Encrypt"}'), 2);
    assert.equal(sample(text, 'arca_keys{state="Enabled",key_spec="SYMMETRIC_DEFAULT"}'), 1);
    assert.equal(sample(text, 'arca_sealed'), 0);
    assert.equal(sample(text, 'arca_audit_queue_depth'), 0);
    // Every request made one durable event, and each commit was timed.
    assert.ok((sample(text, 'arca_audit_events_committed_total') ?? 0) >= 4, 'events committed');
    assert.ok((sample(text, 'arca_audit_commit_duration_seconds_count') ?? 0) >= 1, 'commits timed');
    assert.ok(keyId.length > 0 && !text.includes(keyId), 'no series names the key id');
  });

  it('counts an operation Arca does not serve as `unknown`, not by its target', async () => {
    const series = 'arca_requests_total{operation="unknown",outcome="failure",error_code="MissingAuthentication"}';
    const scrape = async () => (await fetch(`${server.endpoint}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    const before = sample(await scrape(), series) ?? 0;
    const res = await fetch(server.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.NoSuchThing' }, body: '{}' });
    assert.equal(res.status, 400);
    const text = await scrape();
    assert.doesNotMatch(text, /NoSuchThing/);
    assert.equal(sample(text, series), before + 1);
  });
});

describe('metrics off, and on a separate listener', () => {
  it('without metrics settings, /metrics is not served (the protocol answers it)', async () => {
    const server = await startInProcess();
    try {
      const r = await fetch(`${server.endpoint}/metrics`);
      assert.notEqual(r.status, 200);
      assert.equal(server.app.metricsServer, undefined);
    } finally {
      await server.close();
    }
  });

  it('with a separate listener, the main one does not serve /metrics and the metrics one serves only it', async () => {
    const server = await startInProcess({ metrics: { separateListener: true } });
    const metricsServer = server.app.metricsServer;
    assert.ok(metricsServer !== undefined);
    try {
      await new Promise<void>((ok) => metricsServer.listen(0, '127.0.0.1', ok));
      const url = `http://127.0.0.1:${(metricsServer.address() as AddressInfo).port}`;
      assert.notEqual((await fetch(`${server.endpoint}/metrics`)).status, 200);
      const r = await fetch(`${url}/metrics`);
      assert.equal(r.status, 200);
      assert.match(await r.text(), /^# HELP arca_requests_total /m);
      assert.equal((await fetch(`${url}/`)).status, 404);
    } finally {
      await server.close();
    }
  });
});

describe('per-key series for the keys listed in metrics.keys', () => {
  it('counts the listed key by operation and outcome, and no other key', async () => {
    const dataDir = tempDataDir('arca-key-metrics-');
    try {
      // The key ids exist before the server that lists them starts: make them, then restart on the same store.
      const first = await startInProcess({ dataDir });
      const setup = kmsClient(first);
      const [listed, other] = [(await setup.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId ?? '', (await setup.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId ?? ''];
      setup.destroy();
      await first.close();
      const server = await startInProcess({ dataDir, metrics: { bearerToken: TOKEN, keys: [listed] } });
      try {
        const kms = kmsClient(server);
        const blob = (await kms.send(new EncryptCommand({ KeyId: listed, Plaintext: Buffer.from('a') }))).CiphertextBlob;
        await kms.send(new DecryptCommand({ CiphertextBlob: blob }));
        await kms.send(new EncryptCommand({ KeyId: other, Plaintext: Buffer.from('b') }));
        await expectKmsError(kms.send(new DecryptCommand({ CiphertextBlob: blob, KeyId: other })), 'IncorrectKeyException');
        const text = await (await fetch(`${server.endpoint}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
        assert.equal(sample(text, `arca_key_requests_total{key_id="${listed}",operation="Encrypt",outcome="success"}`), 1);
        assert.equal(sample(text, `arca_key_requests_total{key_id="${listed}",operation="Decrypt",outcome="success"}`), 1);
        assert.ok(!text.includes(other), 'the unlisted key has no series');
        kms.destroy();
      } finally {
        await server.close();
      }
    } finally {
      removeDir(dataDir);
    }
  });
});
