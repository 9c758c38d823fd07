import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { harness, type Harness } from '../../../test/helpers/operation-harness.js';
import { arnOf, assertAudited, expectFailure, outsider } from '../../../test/helpers/operation-spec.js';

describe('GenerateMac (operation spec)', () => {
  let h: Harness;
  let keyId: string;
  const message = Buffer.from('the message of the generate-mac spec');
  const request = () => ({ KeyId: keyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' });
  before(async () => {
    h = await harness();
    keyId = await h.key({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
  });
  after(() => h.close());

  it('answers a 32-byte tag that VerifyMac accepts and that is stable for the message, and records a success without the message', async () => {
    const out = await h.ok('GenerateMac', request());
    const mac = out['Mac'] as Buffer;
    assert.equal(mac.length, 32);
    assert.equal(out['KeyId'], arnOf(h, keyId));
    assert.equal(out['MacAlgorithm'], 'HMAC_SHA_256');
    assertAudited(h, { eventName: 'GenerateMac', keyArn: arnOf(h, keyId), principal: h.admin, secrets: [message, mac] });
    assert.ok(((await h.ok('GenerateMac', request()))['Mac'] as Buffer).equals(mac));
    assert.equal((await h.ok('VerifyMac', { ...request(), Mac: mac }))['MacValid'], true);
    assert.ok(!createHmac('sha256', Buffer.alloc(32)).update(message).digest().equals(mac), 'not keyed with zeros');
  });

  it('refuses a caller without rights with AccessDenied, and records the failure', async () => {
    await expectFailure(h, 'GenerateMac', request(), 'AccessDenied', { as: await outsider(h) });
  });

  it('answers DryRunOperation with DryRun set', async () => {
    await expectFailure(h, 'GenerateMac', { ...request(), DryRun: true }, 'DryRunOperation', { keyArn: arnOf(h, keyId) });
  });

  it('refuses a disabled key with KeyDisabled', async () => {
    const disabled = await h.key({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    await h.ok('DisableKey', { KeyId: disabled });
    await expectFailure(h, 'GenerateMac', { ...request(), KeyId: disabled }, 'KeyDisabled');
  });

  it('refuses an algorithm of another key spec, and an encryption key, with InvalidKeyUsage', async () => {
    await expectFailure(h, 'GenerateMac', { ...request(), MacAlgorithm: 'HMAC_SHA_512' }, 'InvalidKeyUsage');
    const e = await expectFailure(h, 'GenerateMac', { ...request(), KeyId: await h.key() }, 'InvalidKeyUsage');
    assert.match(e.message, /key usage is ENCRYPT_DECRYPT which is not valid for GenerateMac\.$/);
  });
});
