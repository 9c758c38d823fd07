import { CreateKeyCommand, EncryptCommand } from '@aws-sdk/client-kms';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportLines, verifyExport } from '../../src/audit/verify-log.js';
import type { AuditEvent, TreeHead } from '../../src/core/audit.js';
import { kmsClientFrom, unsignedFlood } from '../helpers/flood.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { TestClock } from '../helpers/lifecycle.js';
import { rawRequest } from '../helpers/raw-request.js';
import { removeDir, tempDataDir } from '../helpers/server.js';
import { sqliteOf } from '../helpers/in-process.js';

const rows = (s: InProcessServer) => sqliteOf(s.app).prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM audit_events').get()?.n ?? -1;
const events = async (s: InProcessServer) => (await s.app.audit.list(1_000_000)) as AuditEvent[];

/** The whole trail through ExportAuditLog, verified as `arca audit verify` does. */
async function verifyTrail(s: InProcessServer, clock: TestClock): Promise<ReturnType<typeof verifyExport>> {
  const entries: { sequence: number; leafHash: string; event?: AuditEvent }[] = [];
  let from: number | undefined = 1;
  let first: { ChainId: string; PublicKey: string; TreeHeads: TreeHead[] } | undefined;
  while (from !== undefined) {
    const res = await rawRequest(s, { target: 'ArcaService.ExportAuditLog', body: JSON.stringify({ FromSequence: from, Limit: 1000 }), signingDate: clock.now() });
    assert.equal(res.status, 200, res.body);
    const page = res.json() as unknown as { Entries: { Sequence: number; LeafHash: string; Event?: AuditEvent }[]; NextSequence?: number; ChainId: string; PublicKey: string; TreeHeads: TreeHead[] };
    first ??= page;
    for (const e of page.Entries) entries.push({ sequence: e.Sequence, leafHash: e.LeafHash, event: e.Event });
    from = page.NextSequence;
  }
  assert.ok(first);
  return verifyExport(exportLines({ arcaAuditExport: 1, chainId: first.ChainId, publicKey: first.PublicKey }, entries, first.TreeHeads), Buffer.from(first.PublicKey, 'base64'));
}

describe('unauthenticated floods are bounded (issue 12, item 7)', () => {
  it('2,000 unsigned requests from one source: the burst is recorded, the rest throttled and summarized exactly; a signed client elsewhere is served; the trail verifies', async () => {
    // A clock that does not move: no refill during the flood, so the counts are exact.
    const clock = new TestClock();
    const dataDir = tempDataDir();
    const burst = 50;
    const sent = 2000;
    const limits = { unauthenticatedBurst: burst, unauthenticatedPerSecond: 1 };
    let s = await startInProcess({ dataDir, clock, limits });
    try {
      const legit = kmsClientFrom(s, '127.0.0.2');
      const keyId = (await legit.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId;
      const before = rows(s);

      const answers = await unsignedFlood(s.endpoint, sent, { 'user-agent': 'flood/' + 'u'.repeat(4000) });
      assert.deepEqual(answers.slice(0, burst), Array<string>(burst).fill('400 MissingAuthenticationTokenException'));
      assert.deepEqual([...new Set(answers.slice(burst))], ['400 ThrottlingException'], 'over the limit: ThrottlingException, HTTP 400');
      const throttled = await rawRequest(s, { target: 'TrentService.Encrypt', body: '{}', sign: false });
      assert.deepEqual(throttled.json(), { __type: 'ThrottlingException', message: 'Rate exceeded' });
      assert.equal(throttled.headers.get('x-amzn-errortype'), 'ThrottlingException');

      // The flooded source is limited; a well-signed client is not, from another source or from the
      // flooded source itself (behind one NAT or proxy, an outsider cannot shut signed clients out).
      const enc = await legit.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('still served') }));
      assert.ok(enc.CiphertextBlob);
      const sameSource = kmsClientFrom(s, '127.0.0.1');
      assert.ok((await sameSource.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('same address, signed') }))).CiphertextBlob);
      assert.equal(rows(s) - before, burst + 2, 'the flood wrote exactly its burst of events (and each Encrypt its own)');
      const flood = (await events(s)).filter((e) => e.userAgent.startsWith('flood/'));
      assert.equal(flood.length, burst);
      assert.ok(flood.every((e) => e.userAgent.length <= 256), 'the user agent is truncated in the trail');
    } finally {
      await s.close(); // a graceful close records the pending summaries
    }
    s = await startInProcess({ dataDir, clock, limits });
    try {
      const summaries = (await events(s)).filter((e) => e.eventName === 'ThrottledRequests');
      assert.equal(summaries.length, 1, 'one summary for the one source');
      const [summary] = summaries;
      assert.equal(summary?.sourceIPAddress, '127.0.0.1');
      assert.equal(summary?.userIdentity.type, 'Anonymous');
      const data = summary?.additionalEventData ?? {};
      const recorded = (await events(s)).filter((e) => e.userAgent.startsWith('flood/') && e.eventName === 'Encrypt').length;
      assert.equal(Number(data['throttledRequests']) + recorded, sent + 1, 'summary + recorded events == requests sent (the flood and the one probe)');
      assert.deepEqual(data['errorCodes'], { MissingAuthentication: sent + 1 - burst });
      assert.deepEqual(data['targets'], { Encrypt: sent + 1 - burst }, 'targets by operation name, as eventName');
      assert.ok(typeof data['firstTime'] === 'string' && typeof data['lastTime'] === 'string');
      const report = await verifyTrail(s, clock);
      assert.equal(report.ok, true, JSON.stringify(report.divergence));
    } finally {
      await s.close();
      removeDir(dataDir);
    }
  });

  it('unsigned mutations (run in the audit transaction) are limited alike', async () => {
    const s = await startInProcess({ clock: new TestClock(), limits: { unauthenticatedBurst: 3, unauthenticatedPerSecond: 1 } });
    try {
      const before = rows(s);
      const types: unknown[] = [];
      for (let i = 0; i < 6; i++) types.push((await rawRequest(s, { target: 'TrentService.CreateKey', body: '{}', sign: false })).json().__type);
      assert.deepEqual(types, [...Array<string>(3).fill('MissingAuthenticationTokenException'), ...Array<string>(3).fill('ThrottlingException')]);
      assert.equal(rows(s) - before, 3);
    } finally {
      await s.close();
    }
  });

  it('unsigned calls of the operations that need no signature (GetSealStatus) are limited alike', async () => {
    const s = await startInProcess({ clock: new TestClock(), limits: { unauthenticatedBurst: 3, unauthenticatedPerSecond: 1 } });
    try {
      const before = rows(s);
      const types: unknown[] = [];
      for (let i = 0; i < 8; i++) {
        const res = await rawRequest(s, { target: 'ArcaService.GetSealStatus', body: '{}', sign: false });
        types.push(res.status === 200 ? 'ok' : res.json().__type);
      }
      assert.deepEqual(types, [...Array<string>(3).fill('ok'), ...Array<string>(5).fill('ThrottlingException')]);
      assert.equal(rows(s) - before, 3, 'one event per answered call, none for the throttled ones');
    } finally {
      await s.close();
    }
  });

  it('failures past authentication by a signed caller are not limited (only unauthenticated ones are)', async () => {
    const clock = new TestClock();
    const s = await startInProcess({ clock, limits: { unauthenticatedBurst: 2, unauthenticatedPerSecond: 1 } });
    try {
      for (let i = 0; i < 10; i++) {
        const res = await rawRequest(s, { target: 'TrentService.DescribeKey', body: JSON.stringify({ KeyId: 'alias/none' }), signingDate: clock.now() });
        assert.equal(res.json().__type, 'NotFoundException');
      }
    } finally {
      await s.close();
    }
  });

  it('an unauthenticated event stays small whatever the caller sends (bounded attacker-controlled fields)', async () => {
    const s = await startInProcess();
    try {
      await rawRequest(s, { target: 'TrentService.' + 'X'.repeat(5000), body: '{}', sign: false, headers: { 'user-agent': 'A'.repeat(8000) } });
      await rawRequest(s, { target: 'TrentService.Encrypt', body: '{}', sign: false, headers: { authorization: `AWS4-HMAC-SHA256 Credential=${'k'.repeat(6000)}/20260101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`, 'user-agent': 'B'.repeat(8000) } });
      const bodies = sqliteOf(s.app).prepare<[], { body: Buffer | string }>('SELECT body FROM audit_events ORDER BY seq DESC LIMIT 2').all();
      // ~700 bytes with ordinary fields; at most ~1 KB whatever is sent (1.8 KB before the bounds).
      for (const { body } of bodies) assert.ok(Buffer.byteLength(body) <= 1100, `an unauthenticated event is ${Buffer.byteLength(body)} bytes`);
    } finally {
      await s.close();
    }
  });
});
