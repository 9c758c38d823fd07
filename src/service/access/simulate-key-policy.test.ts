import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { harness, type Harness, type HarnessPrincipal } from '../../../test/helpers/operation-harness.js';
import { arnOf, assertAudited, outsider } from '../../../test/helpers/operation-spec.js';

const policyOf = (account: string, ...extra: object[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: ['kms:*', 'arca:SimulateKeyPolicy'], Resource: '*' }, ...extra] });

describe('SimulateKeyPolicy (operation spec)', () => {
  let h: Harness;
  let keyId: string;
  let app: HarnessPrincipal;
  const arca = { service: 'ArcaService' } as const;
  before(async () => {
    h = await harness();
    keyId = await h.key({ Policy: policyOf(h.realm.account) });
    app = await h.principal('app', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' }] });
    const blob = (await h.ok('Encrypt', { KeyId: keyId, Plaintext: Buffer.from('x'), EncryptionContext: { tenant: 'a' } }, { as: app }))['CiphertextBlob'];
    await h.ok('Decrypt', { CiphertextBlob: blob, EncryptionContext: { tenant: 'a' } }, { as: app });
    await h.ok('Decrypt', { CiphertextBlob: blob, EncryptionContext: { tenant: 'a' } }, { as: app });
  });
  after(() => h.close());

  it('answers the requests a candidate Deny on an encryption context would refuse, and records a read naming the key', async () => {
    const deny = { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:tenant': 'a' } } };
    const out = await h.ok('SimulateKeyPolicy', { KeyId: keyId, PolicyDocument: policyOf(h.realm.account, deny) }, arca);
    const changes = out['Changes'] as Record<string, unknown>[];
    assert.deepEqual(changes.map((c) => [c['Principal'], c['Action'], c['Change']]), [
      [app.arn, 'kms:Decrypt', 'ALLOWED_TO_DENIED'],
      [app.arn, 'kms:Decrypt', 'ALLOWED_TO_DENIED'],
    ]);
    assert.ok(changes.every((c) => c['EventTime'] instanceof Date));
    assert.deepEqual(out['Unknown'], []);
    assert.equal(out['Truncated'], false);
    const event = assertAudited(h, { eventName: 'SimulateKeyPolicy', keyArn: arnOf(h, keyId), principal: h.admin });
    assert.equal(event.responseElements?.['changes'], 2);
    assert.equal(event.requestParameters?.['policyDocument'], undefined, 'the candidate policy is not copied into the event');
  });

  it('Limit bounds the replay, newest first, and says the answer is truncated', async () => {
    const out = await h.ok('SimulateKeyPolicy', { KeyId: keyId, PolicyDocument: policyOf(h.realm.account), Limit: 1 }, arca);
    assert.equal(out['Replayed'], 1);
    assert.equal(out['Truncated'], true);
  });

  it('refuses a malformed candidate like PutKeyPolicy does, and a request with no candidate', async () => {
    const malformed = await h.fails('SimulateKeyPolicy', { KeyId: keyId, PolicyDocument: '{"Statement": 3' }, arca);
    assert.equal(malformed.code, 'MalformedPolicyDocument');
    assertAudited(h, { eventName: 'SimulateKeyPolicy', errorCode: 'MalformedPolicyDocument', keyArn: arnOf(h, keyId) });
    const e = await h.fails('SimulateKeyPolicy', { KeyId: keyId }, arca);
    assert.equal(e.code, 'ValidationFailed');
  });

  it('refuses a caller the key policy does not name', async () => {
    const mallory = await outsider(h);
    const e = await h.fails('SimulateKeyPolicy', { KeyId: keyId, PolicyDocument: policyOf(h.realm.account) }, { ...arca, as: mallory });
    assert.equal(e.code, 'AccessDenied');
  });
});
