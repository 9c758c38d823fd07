import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { harness, type Harness } from '../../../test/helpers/operation-harness.js';
import { arnOf, assertAudited, bytesOf, expectFailure, outsider } from '../../../test/helpers/operation-spec.js';

describe('GenerateDataKey (operation spec)', () => {
  let h: Harness;
  let keyId: string;
  before(async () => {
    h = await harness();
    keyId = await h.key();
  });
  after(() => h.close());

  it('answers a data key of the asked size and its ciphertext, which Decrypt opens; the event has neither', async () => {
    const out = await h.ok('GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: { purpose: 'dek' } });
    const plain = bytesOf(out['Plaintext']);
    assert.equal(plain.length, 32);
    assert.equal(out['KeyId'], arnOf(h, keyId));
    assertAudited(h, { eventName: 'GenerateDataKey', keyArn: arnOf(h, keyId), principal: h.admin, secrets: [plain] });
    const back = await h.ok('Decrypt', { CiphertextBlob: out['CiphertextBlob'], EncryptionContext: { purpose: 'dek' } });
    assert.ok(bytesOf(back['Plaintext']).equals(plain));
  });

  it('answers NumberOfBytes bytes when asked by length', async () => {
    const out = await h.ok('GenerateDataKey', { KeyId: keyId, NumberOfBytes: 7 });
    assert.equal(bytesOf(out['Plaintext']).length, 7);
  });

  it('refuses a caller without rights with AccessDenied, and records the failure', async () => {
    const mallory = await outsider(h);
    await expectFailure(h, 'GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256' }, 'AccessDenied', { as: mallory });
  });

  it('answers DryRunOperation with DryRun set, and no data key', async () => {
    const r = await h.call('GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256', DryRun: true });
    assert.equal(r.error?.code, 'DryRunOperation');
    assertAudited(h, { eventName: 'GenerateDataKey', errorCode: 'DryRunOperation', keyArn: arnOf(h, keyId) });
  });

  it('refuses a disabled key with KeyDisabled', async () => {
    const disabled = await h.key();
    await h.ok('DisableKey', { KeyId: disabled });
    await expectFailure(h, 'GenerateDataKey', { KeyId: disabled, KeySpec: 'AES_256' }, 'KeyDisabled');
  });

  it('refuses an asymmetric key with InvalidKeyUsage', async () => {
    const signing = await h.key({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    await expectFailure(h, 'GenerateDataKey', { KeyId: signing, KeySpec: 'AES_256' }, 'InvalidKeyUsage', { keyArn: arnOf(h, signing) });
  });

  it('refuses both KeySpec and NumberOfBytes, or neither, with a validation error', async () => {
    await expectFailure(h, 'GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256', NumberOfBytes: 32 }, 'ValidationFailed');
    await expectFailure(h, 'GenerateDataKey', { KeyId: keyId }, 'ValidationFailed');
  });
});
