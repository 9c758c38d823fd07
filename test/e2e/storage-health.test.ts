/**
 * Issue 12, item 12: on a full disk every request fails closed; `/readyz` must say so (and recover by
 * itself once writes succeed again), and each failed request logs one line with its request id. The
 * disk is filled with SQLite's own limit (`max_page_count`): the engine then answers SQLITE_FULL exactly
 * as it does when the file system has no space left.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CreateKeyCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { startInProcess } from '../helpers/in-process.js';
import { kmsClient } from '../helpers/kms-client.js';
import { sqliteOf } from '../helpers/in-process.js';

interface ReadyBody {
  status: string;
  storage: { healthy: boolean; lastError?: string };
}

async function readyz(endpoint: string): Promise<{ status: number; body: ReadyBody }> {
  const r = await fetch(`${endpoint}/readyz`);
  return { status: r.status, body: (await r.json()) as ReadyBody };
}

describe('storage health and readiness (issue 12 item 12)', () => {
  it('a full disk makes /readyz answer 503 until writes succeed again; each failure logs one line with its request id', async () => {
    const s = await startInProcess();
    try {
      const kms = kmsClient(s);
      const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
      assert.equal((await readyz(s.endpoint)).status, 200);

      const full = Number(sqliteOf(s.app).pragma('page_count', { simple: true }));
      sqliteOf(s.app).pragma(`max_page_count = ${full}`);
      const failures: { name: string; requestId: string | undefined; status: number | undefined }[] = [];
      for (let i = 0; i < 20; i++) {
        for (const call of [kms.send(new CreateKeyCommand({ Description: 'x'.repeat(4000) })), kms.send(new EncryptCommand({ KeyId: KeyMetadata?.KeyId, Plaintext: Buffer.alloc(4096, 1) }))]) {
          await call.then(
            () => undefined,
            (e: { name: string; $metadata?: { requestId?: string; httpStatusCode?: number } }) => failures.push({ name: e.name, requestId: e.$metadata?.requestId, status: e.$metadata?.httpStatusCode }),
          );
        }
      }
      assert.ok(failures.length > 0, 'the full disk made requests fail');
      assert.ok(failures.every((f) => f.name === 'KMSInternalException'));
      assert.ok(failures.every((f) => f.status === 503), 'a storage failure is 503 Service Unavailable: clients and balancers retry');

      const notReady = await readyz(s.endpoint);
      assert.equal(notReady.status, 503);
      assert.equal(notReady.body.status, 'storage-failing');
      assert.equal(notReady.body.storage.healthy, false);
      assert.equal(notReady.body.storage.lastError, undefined, "the engine's message is logged, not shown to anyone asking /readyz");
      assert.match(s.logs.join('\n'), /database or disk is full/);

      // One log line per failed request, naming its request id, with no stack trace.
      const errors = s.logs.map((l) => JSON.parse(l) as { level: string; requestId?: string; error?: string; auditError?: string }).filter((l) => l.level === 'error');
      for (const f of failures) assert.equal(errors.filter((l) => l.requestId === f.requestId).length, 1, `one line for request ${f.requestId}`);
      assert.equal(errors.length, failures.length);
      assert.ok(errors.every((l) => !/\n\s+at /.test(`${l.error ?? ''}${l.auditError ?? ''}`)), 'no stack trace for a storage failure');

      // Space again: readiness comes back without any client traffic (its probe event commits).
      sqliteOf(s.app).pragma('max_page_count = 1073741823');
      let ready = await readyz(s.endpoint);
      for (const deadline = Date.now() + 10_000; ready.status !== 200 && Date.now() < deadline; ready = await readyz(s.endpoint)) {
        await new Promise((r) => setTimeout(r, 200)); // a failing storage is probed at most once a second
      }
      assert.equal(ready.status, 200);
      assert.deepEqual(ready.body.storage, { healthy: true });
      const probes = (await s.app.audit.list(100_000)).filter((e) => e.eventName === 'StorageProbe');
      assert.equal(probes.length, 1, 'the recovery probe is in the audit trail');
      await kms.send(new EncryptCommand({ KeyId: KeyMetadata?.KeyId, Plaintext: Buffer.from('ok') }));
    } finally {
      await s.close();
    }
  });

  it('signed requests whose access key cannot be read (storage failing) answer 503, never ThrottlingException', async () => {
    // A tiny unauthenticated budget: before the fix, the third signed request was throttled as if unauthenticated.
    const s = await startInProcess({ limits: { unauthenticatedBurst: 2, unauthenticatedPerSecond: 0.01 } });
    try {
      const kms = kmsClient(s);
      await kms.send(new CreateKeyCommand({}));
      const principals = s.app.store.requestStores.principals;
      const original = principals.getAccessKey.bind(principals);
      principals.getAccessKey = () => Promise.reject(Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_READ' }));
      const answers: string[] = [];
      for (let i = 0; i < 8; i++) {
        await kms.send(new CreateKeyCommand({})).then(
          () => answers.push('ok'),
          (e: { name: string; $metadata?: { httpStatusCode?: number } }) => answers.push(`${e.name} ${e.$metadata?.httpStatusCode ?? ''}`),
        );
      }
      assert.deepEqual(answers, Array<string>(8).fill('KMSInternalException 503'));
      principals.getAccessKey = original;
      await kms.send(new CreateKeyCommand({}));
    } finally {
      await s.close();
    }
  });
});
