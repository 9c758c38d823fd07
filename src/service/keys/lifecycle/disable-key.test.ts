import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { harness, type Harness } from '../../../../test/helpers/operation-harness.js';
import { arnOf, assertAudited, expectFailure, outsider } from '../../../../test/helpers/operation-spec.js';

describe('DisableKey (operation spec)', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  after(() => h.close());

  const state = async (keyId: string) => ((await h.ok('DescribeKey', { KeyId: keyId }))['KeyMetadata'] as Record<string, unknown>)['KeyState'];

  it('makes the key Disabled, so that it refuses use until enabled, and records a success naming the key', async () => {
    const keyId = await h.key();
    await h.ok('DisableKey', { KeyId: keyId });
    assertAudited(h, { eventName: 'DisableKey', keyArn: arnOf(h, keyId), principal: h.admin });
    assert.equal(await state(keyId), 'Disabled');
    await expectFailure(h, 'Encrypt', { KeyId: keyId, Plaintext: Buffer.from('x') }, 'KeyDisabled');
    await h.ok('EnableKey', { KeyId: keyId });
    assert.equal(await state(keyId), 'Enabled');
  });

  it('is idempotent on a disabled key', async () => {
    const keyId = await h.key();
    await h.ok('DisableKey', { KeyId: keyId });
    await h.ok('DisableKey', { KeyId: keyId });
    assert.equal(await state(keyId), 'Disabled');
  });

  it('refuses a caller without rights with AccessDenied, leaves the key Enabled, and records the failure', async () => {
    const keyId = await h.key();
    await expectFailure(h, 'DisableKey', { KeyId: keyId }, 'AccessDenied', { as: await outsider(h) });
    assert.equal(await state(keyId), 'Enabled');
  });

  it('refuses a key pending deletion with InvalidKeyState', async () => {
    const keyId = await h.key();
    await h.ok('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 });
    await expectFailure(h, 'DisableKey', { KeyId: keyId }, 'InvalidKeyState');
  });
});
