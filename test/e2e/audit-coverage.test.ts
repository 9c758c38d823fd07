import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { rawRequest } from '../helpers/raw-request.js';
import { sqliteOf } from '../helpers/in-process.js';

const CANARY = 'canary-plaintext-7f3a9c';
const CANARY_B64 = Buffer.from(CANARY).toString('base64');

describe('the pipeline records exactly one audit event per request', () => {
  let s: InProcessServer;
  let keyId = '';
  before(async () => {
    s = await startInProcess();
    const res = await rawRequest(s, { target: 'TrentService.CreateKey', body: '{}' });
    keyId = String((res.json()['KeyMetadata'] as { KeyId: string }).KeyId);
  });
  after(() => s.close());

  const count = () => sqliteOf(s.app).prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM audit_events').get()?.n ?? -1;

  const cases = [
    { name: 'a successful Encrypt', req: () => ({ target: 'TrentService.Encrypt', body: JSON.stringify({ KeyId: keyId, Plaintext: CANARY_B64, EncryptionContext: { purpose: 'audit-test' } }) }), error: undefined, event: 'Encrypt' },
    { name: 'a validation failure', req: () => ({ target: 'TrentService.Encrypt', body: JSON.stringify({ Plaintext: CANARY_B64 }) }), error: 'ValidationFailed', event: 'Encrypt' },
    { name: 'an unknown key', req: () => ({ target: 'TrentService.Encrypt', body: JSON.stringify({ KeyId: 'alias/none', Plaintext: CANARY_B64 }) }), error: 'KeyNotFound', event: 'Encrypt' },
    { name: 'an unauthenticated request', req: () => ({ target: 'TrentService.Encrypt', body: JSON.stringify({ KeyId: keyId, Plaintext: CANARY_B64 }), sign: false }), error: 'MissingAuthentication', event: 'Encrypt' },
    { name: 'an unknown operation', req: () => ({ target: 'TrentService.Nope', body: '{}' }), error: 'UnknownOperation', event: 'TrentService.Nope' },
    { name: 'malformed JSON', req: () => ({ target: 'TrentService.Encrypt', body: `{"Plaintext":"${CANARY_B64}"` }), error: 'SerializationFailed', event: 'Encrypt' },
    { name: 'an oversize body', req: () => ({ target: 'TrentService.Encrypt', body: JSON.stringify({ KeyId: keyId, Plaintext: CANARY_B64.repeat(3000) }) }), error: 'RequestTooLarge', event: 'Encrypt' },
    { name: 'a wrong path', req: () => ({ target: 'TrentService.ListKeys', body: '{}', path: '/other' }), error: 'UnknownOperation', event: 'ListKeys' },
  ];

  for (const c of cases) {
    it(`${c.name} → one event${c.error ? ` with errorCode ${c.error}` : ''}`, async () => {
      const before = count();
      const res = await rawRequest(s, c.req());
      assert.equal(count(), before + 1, 'exactly one new event');
      const event = (await s.app.audit.list(100_000)).at(-1);
      assert.ok(event);
      assert.equal(event.errorCode, c.error);
      assert.equal(event.eventName, c.event);
      assert.equal(event.requestID, res.headers.get('x-amzn-requestid'), 'the event carries the request id the caller saw');
      assert.equal(event.sourceIPAddress, '127.0.0.1');
    });
  }

  it('records who did what to which key, and never the plaintext', async () => {
    const events = (await s.app.audit.list(100_000));
    const encrypt = events.find((e) => e.eventName === 'Encrypt' && e.errorCode === undefined);
    assert.ok(encrypt);
    assert.equal(encrypt.userIdentity.arn, 'arn:aws:iam::111122223333:user/admin');
    assert.equal(encrypt.userIdentity.accessKeyId, s.credentials.accessKeyId);
    assert.deepEqual(encrypt.resources, [{ ARN: `arn:aws:kms:us-east-1:111122223333:key/${keyId}`, type: 'AWS::KMS::Key' }]);
    assert.deepEqual(encrypt.requestParameters?.['encryptionContext'], { purpose: 'audit-test' });
    const all = JSON.stringify(events) + s.logs.join('\n');
    assert.ok(!all.includes(CANARY) && !all.includes(CANARY_B64), 'plaintext canary found in the audit trail or logs');
    assert.ok(!all.includes(s.credentials.secretAccessKey), 'secret access key found in the audit trail or logs');
  });

  it('fails closed: when the audit write fails, the caller gets a 500 and no success', async () => {
    sqliteOf(s.app).exec(`CREATE TRIGGER audit_fails BEFORE INSERT ON audit_events BEGIN SELECT RAISE(FAIL, 'simulated disk failure'); END`);
    try {
      const res = await rawRequest(s, { target: 'TrentService.Encrypt', body: JSON.stringify({ KeyId: keyId, Plaintext: CANARY_B64 }) });
      assert.equal(res.status, 500);
      assert.equal(res.json().__type, 'KMSInternalException');
      assert.equal(res.json()['CiphertextBlob'], undefined);
      assert.ok(s.logs.some((l) => l.includes('audit write failed')));
    } finally {
      sqliteOf(s.app).exec('DROP TRIGGER audit_fails');
    }
    const res = await rawRequest(s, { target: 'TrentService.GenerateRandom', body: '{"NumberOfBytes": 4}' });
    assert.equal(res.status, 200, 'serves again once the audit store is writable');
  });

  it('group commit: 200 concurrent requests produce 200 events with distinct request ids', async () => {
    const before = count();
    const results = await Promise.all(
      Array.from({ length: 200 }, () => rawRequest(s, { target: 'TrentService.Encrypt', body: JSON.stringify({ KeyId: keyId, Plaintext: CANARY_B64 }) })),
    );
    assert.ok(results.every((r) => r.status === 200));
    assert.equal(count(), before + 200);
    const ids = new Set((await s.app.audit.list(100_000)).slice(-200).map((e) => e.requestID));
    assert.equal(ids.size, 200);
  });
});
