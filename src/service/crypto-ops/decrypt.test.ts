import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { harness, type Harness } from '../../../test/helpers/operation-harness.js';
import { flip } from '../../../test/helpers/negative-cases.js';
import { arnOf, assertAudited, bytesOf, expectFailure, outsider } from '../../../test/helpers/operation-spec.js';

describe('Decrypt (operation spec)', () => {
  let h: Harness;
  let keyId: string;
  let blob: Buffer;
  const plaintext = Buffer.from('the plaintext of the decrypt spec');
  const context = { tenant: 'spec' };
  before(async () => {
    h = await harness();
    keyId = await h.key();
    blob = (await h.ok('Encrypt', { KeyId: keyId, Plaintext: plaintext, EncryptionContext: context }))['CiphertextBlob'] as Buffer;
  });
  after(() => h.close());

  it('answers the plaintext and the key the blob names, and records a success naming that key with the context but not the plaintext', async () => {
    const out = await h.ok('Decrypt', { CiphertextBlob: blob, EncryptionContext: context });
    assert.ok(bytesOf(out['Plaintext']).equals(plaintext));
    assert.equal(out['KeyId'], arnOf(h, keyId));
    const event = assertAudited(h, { eventName: 'Decrypt', keyArn: arnOf(h, keyId), principal: h.admin, secrets: [plaintext] });
    assert.deepEqual(event.requestParameters?.['encryptionContext'], context);
    assert.equal(event.responseElements?.['keyId'], arnOf(h, keyId));
    assert.equal(event.responseElements?.['keyMaterialId'], out['KeyMaterialId'], 'the event names the material that decrypted');
    assert.match(String(out['KeyMaterialId']), /^[0-9a-f]{64}$/);
  });

  it('accepts the KeyId that the blob names, by alias too', async () => {
    await h.ok('CreateAlias', { AliasName: 'alias/decrypt-spec', TargetKeyId: keyId });
    const out = await h.ok('Decrypt', { CiphertextBlob: blob, EncryptionContext: context, KeyId: 'alias/decrypt-spec' });
    assert.ok(bytesOf(out['Plaintext']).equals(plaintext));
  });

  it('refuses a caller without rights with AccessDenied, and records the failure', async () => {
    const mallory = await outsider(h);
    await expectFailure(h, 'Decrypt', { CiphertextBlob: blob, EncryptionContext: context }, 'AccessDenied', { as: mallory });
  });

  it('answers DryRunOperation with DryRun set, without the plaintext', async () => {
    const r = await h.call('Decrypt', { CiphertextBlob: blob, EncryptionContext: context, DryRun: true });
    assert.equal(r.error?.code, 'DryRunOperation');
    assert.equal(r.output, undefined);
    assertAudited(h, { eventName: 'Decrypt', errorCode: 'DryRunOperation', keyArn: arnOf(h, keyId), secrets: [plaintext] });
  });

  it('answers the one opaque InvalidCiphertext for a tampered blob, a wrong context and a missing context alike', async () => {
    const tampered = await expectFailure(h, 'Decrypt', { CiphertextBlob: flip(blob), EncryptionContext: context }, 'InvalidCiphertext', { keyArn: arnOf(h, keyId) });
    const wrongContext = await expectFailure(h, 'Decrypt', { CiphertextBlob: blob, EncryptionContext: { tenant: 'other' } }, 'InvalidCiphertext');
    const noContext = await expectFailure(h, 'Decrypt', { CiphertextBlob: blob }, 'InvalidCiphertext');
    assert.equal(tampered.message, wrongContext.message);
    assert.equal(tampered.message, noContext.message);
  });

  it('refuses another symmetric key in KeyId with IncorrectKey', async () => {
    const other = await h.key();
    await expectFailure(h, 'Decrypt', { CiphertextBlob: blob, EncryptionContext: context, KeyId: other }, 'IncorrectKey');
  });

  it('refuses a ciphertext of a disabled key with KeyDisabled, and decrypts it again once enabled', async () => {
    const key = await h.key();
    const mine = (await h.ok('Encrypt', { KeyId: key, Plaintext: plaintext }))['CiphertextBlob'] as Buffer;
    await h.ok('DisableKey', { KeyId: key });
    await expectFailure(h, 'Decrypt', { CiphertextBlob: mine }, 'KeyDisabled', { secrets: [plaintext] });
    await h.ok('EnableKey', { KeyId: key });
    assert.ok(bytesOf((await h.ok('Decrypt', { CiphertextBlob: mine }))['Plaintext']).equals(plaintext));
  });
});
