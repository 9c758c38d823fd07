import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { harness, type Harness } from '../../../test/helpers/operation-harness.js';
import { flip } from '../../../test/helpers/negative-cases.js';
import { arnOf, assertAudited, bytesOf, expectFailure, outsider } from '../../../test/helpers/operation-spec.js';

describe('ReEncrypt (operation spec)', () => {
  let h: Harness;
  let source: string;
  let destination: string;
  let blob: Buffer;
  const plaintext = Buffer.from('the plaintext of the re-encrypt spec');
  const context = { tenant: 'spec' };
  before(async () => {
    h = await harness();
    source = await h.key();
    destination = await h.key();
    blob = (await h.ok('Encrypt', { KeyId: source, Plaintext: plaintext, EncryptionContext: context }))['CiphertextBlob'] as Buffer;
  });
  after(() => h.close());

  it('answers a ciphertext under the destination key with the destination context, and records both keys without the plaintext', async () => {
    const out = await h.ok('ReEncrypt', { CiphertextBlob: blob, SourceEncryptionContext: context, DestinationKeyId: destination, DestinationEncryptionContext: { tenant: 'moved' } });
    assert.equal(out['SourceKeyId'], arnOf(h, source));
    assert.equal(out['KeyId'], arnOf(h, destination));
    const event = h.lastEvent();
    assert.equal(event.eventName, 'ReEncrypt');
    assert.equal(event.errorCode, undefined);
    assert.deepEqual(new Set(event.resources.map((r) => r.ARN)), new Set([arnOf(h, source), arnOf(h, destination)]));
    assertAudited(h, { eventName: 'ReEncrypt', principal: h.admin, secrets: [plaintext] });
    // The generations of material on both sides (arca report reencryption counts the source's).
    assert.deepEqual([event.responseElements?.['sourceKeyMaterialId'], event.responseElements?.['keyMaterialId']], [out['SourceKeyMaterialId'], out['DestinationKeyMaterialId']]);
    assert.match(String(out['SourceKeyMaterialId']), /^[0-9a-f]{64}$/);
    const back = await h.ok('Decrypt', { CiphertextBlob: out['CiphertextBlob'], EncryptionContext: { tenant: 'moved' } });
    assert.ok(bytesOf(back['Plaintext']).equals(plaintext));
    assert.equal(back['KeyId'], arnOf(h, destination));
  });

  it('refuses a caller without rights with AccessDenied, and records the failure', async () => {
    const mallory = await outsider(h);
    await expectFailure(h, 'ReEncrypt', { CiphertextBlob: blob, SourceEncryptionContext: context, DestinationKeyId: destination }, 'AccessDenied', { as: mallory });
  });

  it('refuses a caller allowed to decrypt under the source but not to encrypt under the destination', async () => {
    const half = await h.principal('half', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'kms:ReEncryptFrom', Resource: arnOf(h, source) }],
    });
    await expectFailure(h, 'ReEncrypt', { CiphertextBlob: blob, SourceEncryptionContext: context, DestinationKeyId: destination }, 'AccessDenied', { as: half });
  });

  it('answers DryRunOperation with DryRun set', async () => {
    await expectFailure(h, 'ReEncrypt', { CiphertextBlob: blob, SourceEncryptionContext: context, DestinationKeyId: destination, DryRun: true }, 'DryRunOperation');
  });

  it('answers InvalidCiphertext for a tampered blob and for a wrong source context', async () => {
    await expectFailure(h, 'ReEncrypt', { CiphertextBlob: flip(blob), SourceEncryptionContext: context, DestinationKeyId: destination }, 'InvalidCiphertext');
    await expectFailure(h, 'ReEncrypt', { CiphertextBlob: blob, SourceEncryptionContext: { tenant: 'other' }, DestinationKeyId: destination }, 'InvalidCiphertext');
  });

  it('refuses a disabled destination key with KeyDisabled', async () => {
    const disabled = await h.key();
    await h.ok('DisableKey', { KeyId: disabled });
    await expectFailure(h, 'ReEncrypt', { CiphertextBlob: blob, SourceEncryptionContext: context, DestinationKeyId: disabled }, 'KeyDisabled', { secrets: [plaintext] });
  });
});
