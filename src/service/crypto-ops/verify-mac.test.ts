import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { harness, type Harness } from '../../../test/helpers/operation-harness.js';
import { flip } from '../../../test/helpers/negative-cases.js';
import { arnOf, assertAudited, expectFailure, outsider } from '../../../test/helpers/operation-spec.js';

describe('VerifyMac (operation spec)', () => {
  let h: Harness;
  let keyId: string;
  let mac: Buffer;
  const message = Buffer.from('the message of the verify-mac spec');
  const request = () => ({ KeyId: keyId, Message: message, Mac: mac, MacAlgorithm: 'HMAC_SHA_256' });
  before(async () => {
    h = await harness();
    keyId = await h.key({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    mac = (await h.ok('GenerateMac', { KeyId: keyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' }))['Mac'] as Buffer;
  });
  after(() => h.close());

  it('answers MacValid for the tag of the message, and records a success naming the key without the message', async () => {
    const out = await h.ok('VerifyMac', request());
    assert.equal(out['MacValid'], true);
    assert.equal(out['KeyId'], arnOf(h, keyId));
    assertAudited(h, { eventName: 'VerifyMac', keyArn: arnOf(h, keyId), principal: h.admin, secrets: [message] });
  });

  it('answers MacMismatch (KMSInvalidMacException) for a tampered tag or message, and a truncated tag', async () => {
    await expectFailure(h, 'VerifyMac', { ...request(), Mac: flip(mac) }, 'MacMismatch', { keyArn: arnOf(h, keyId) });
    await expectFailure(h, 'VerifyMac', { ...request(), Message: flip(message, 0) }, 'MacMismatch');
    await expectFailure(h, 'VerifyMac', { ...request(), Mac: mac.subarray(0, 16) }, 'MacMismatch');
  });

  it('refuses a caller without rights with AccessDenied, and records the failure', async () => {
    await expectFailure(h, 'VerifyMac', request(), 'AccessDenied', { as: await outsider(h) });
  });

  it('answers DryRunOperation with DryRun set', async () => {
    await expectFailure(h, 'VerifyMac', { ...request(), DryRun: true }, 'DryRunOperation');
  });

  it('refuses a disabled key with KeyDisabled', async () => {
    const disabled = await h.key({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    await h.ok('DisableKey', { KeyId: disabled });
    await expectFailure(h, 'VerifyMac', { ...request(), KeyId: disabled }, 'KeyDisabled');
  });
});
