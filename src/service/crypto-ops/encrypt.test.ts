import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SecretBytes } from '../../crypto/secret-bytes.js';
import { harness, type Harness } from '../../../test/helpers/operation-harness.js';
import { arnOf, assertAudited, errorOf, outsider } from '../../../test/helpers/operation-spec.js';

describe('Encrypt (operation spec)', () => {
  let h: Harness;
  let keyId: string;
  const plaintext = Buffer.from('the plaintext of the encrypt spec');
  before(async () => {
    h = await harness();
    keyId = await h.key();
  });
  after(() => h.close());

  it('answers a ciphertext that Decrypt turns back into the plaintext, and records a success naming the key without the plaintext', async () => {
    const out = await h.ok('Encrypt', { KeyId: keyId, Plaintext: SecretBytes.copyOf(plaintext), EncryptionContext: { purpose: 'spec' } });
    assert.ok(Buffer.isBuffer(out['CiphertextBlob']));
    assert.equal(out['KeyId'], arnOf(h, keyId));
    assert.equal(out['EncryptionAlgorithm'], 'SYMMETRIC_DEFAULT');
    const event = assertAudited(h, { eventName: 'Encrypt', keyArn: arnOf(h, keyId), principal: h.admin, secrets: [plaintext] });
    assert.deepEqual(event.requestParameters?.['encryptionContext'], { purpose: 'spec' });
    const back = await h.ok('Decrypt', { CiphertextBlob: out['CiphertextBlob'], EncryptionContext: { purpose: 'spec' } });
    assert.ok(Buffer.from((back['Plaintext'] as SecretBytes).expose()).equals(plaintext));
  });

  it('refuses a caller without rights with AccessDenied, and records the failure', async () => {
    const mallory = await outsider(h);
    const e = errorOf(await h.call('Encrypt', { KeyId: keyId, Plaintext: SecretBytes.copyOf(plaintext) }, { as: mallory }));
    assert.equal(e.code, 'AccessDenied');
    assertAudited(h, { eventName: 'Encrypt', errorCode: 'AccessDenied', principal: mallory, secrets: [plaintext] });
  });

  it('answers DryRunOperation with DryRun set, and records it', async () => {
    const e = errorOf(await h.call('Encrypt', { KeyId: keyId, Plaintext: SecretBytes.copyOf(plaintext), DryRun: true }));
    assert.equal(e.code, 'DryRunOperation');
    assertAudited(h, { eventName: 'Encrypt', errorCode: 'DryRunOperation', keyArn: arnOf(h, keyId), secrets: [plaintext] });
  });

  it('refuses a disabled key with KeyDisabled', async () => {
    const disabled = await h.key();
    await h.ok('DisableKey', { KeyId: disabled });
    const e = errorOf(await h.call('Encrypt', { KeyId: disabled, Plaintext: SecretBytes.copyOf(plaintext) }));
    assert.equal(e.code, 'KeyDisabled');
    // A key refused for its state is not listed in the event's resources (today's behaviour); its id is in the parameters.
    const event = assertAudited(h, { eventName: 'Encrypt', errorCode: 'KeyDisabled', keyArn: null, secrets: [plaintext] });
    assert.equal(event.requestParameters?.['keyId'], disabled);
  });

  it('refuses a signing key with InvalidKeyUsage', async () => {
    const signing = await h.key({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const e = errorOf(await h.call('Encrypt', { KeyId: signing, Plaintext: SecretBytes.copyOf(plaintext) }));
    assert.equal(e.code, 'InvalidKeyUsage');
    assertAudited(h, { eventName: 'Encrypt', errorCode: 'InvalidKeyUsage', keyArn: arnOf(h, signing) });
  });

  it('answers the sealed error while sealed, and records it', async () => {
    h.seal();
    try {
      const e = errorOf(await h.call('Encrypt', { KeyId: keyId, Plaintext: SecretBytes.copyOf(plaintext) }));
      assert.equal(e.code, 'Sealed');
      assertAudited(h, { eventName: 'Encrypt', errorCode: 'Sealed' });
    } finally {
      await h.unseal();
    }
  });
});
