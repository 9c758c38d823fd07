import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { harness, HARNESS_TIME, type Harness } from '../../../../test/helpers/operation-harness.js';
import { arnOf, assertAudited, expectFailure, outsider } from '../../../../test/helpers/operation-spec.js';

const DAY = 86_400_000;

describe('ScheduleKeyDeletion (operation spec)', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  after(() => h.close());

  it('puts the key in PendingDeletion with the deletion date the window gives, and records it', async () => {
    const keyId = await h.key();
    const out = await h.ok('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 });
    assert.equal(out['KeyId'], arnOf(h, keyId));
    assert.equal(out['KeyState'], 'PendingDeletion');
    assert.equal(out['PendingWindowInDays'], 7);
    assert.equal((out['DeletionDate'] as Date).getTime(), HARNESS_TIME.getTime() + 7 * DAY);
    const event = assertAudited(h, { eventName: 'ScheduleKeyDeletion', keyArn: arnOf(h, keyId), principal: h.admin });
    assert.equal(event.responseElements?.['keyState'], 'PendingDeletion');
    await expectFailure(h, 'Encrypt', { KeyId: keyId, Plaintext: Buffer.from('x') }, 'InvalidKeyState');
  });

  it('defaults to a 30-day window', async () => {
    const out = await h.ok('ScheduleKeyDeletion', { KeyId: await h.key() });
    assert.equal(out['PendingWindowInDays'], 30);
  });

  it('refuses a window outside 7 to 30 days with a validation error', async () => {
    const keyId = await h.key();
    await expectFailure(h, 'ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 6 }, 'ValidationFailed');
    await expectFailure(h, 'ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 31 }, 'ValidationFailed');
  });

  it('refuses a caller without rights with AccessDenied, leaves the key Enabled, and records the failure', async () => {
    const keyId = await h.key();
    await expectFailure(h, 'ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 }, 'AccessDenied', { as: await outsider(h) });
    const meta = (await h.ok('DescribeKey', { KeyId: keyId }))['KeyMetadata'] as Record<string, unknown>;
    assert.equal(meta['KeyState'], 'Enabled');
  });

  it('schedules a disabled key too, and a key already pending deletion is KMSInvalidStateException', async () => {
    const keyId = await h.key();
    await h.ok('DisableKey', { KeyId: keyId });
    await h.ok('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 });
    await expectFailure(h, 'ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 }, 'InvalidKeyState');
  });

  it('is undone by CancelKeyDeletion, which leaves the key Disabled', async () => {
    const keyId = await h.key();
    await h.ok('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 });
    await h.ok('CancelKeyDeletion', { KeyId: keyId });
    const meta = (await h.ok('DescribeKey', { KeyId: keyId }))['KeyMetadata'] as Record<string, unknown>;
    assert.equal(meta['KeyState'], 'Disabled');
  });
});
