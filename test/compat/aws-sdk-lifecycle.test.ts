/**
 * Compatibility: the key-lifecycle operations as the real AWS SDK v3 sees them: AWS's exception names,
 * date fields parsed as Dates, AWS's defaults and validation messages.
 */
import {
  CancelKeyDeletionCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GetKeyRotationStatusCommand,
  ListKeyRotationsCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { kmsClient } from '../helpers/kms-client.js';

const DAY = 86_400_000;

describe('key lifecycle through the AWS SDK', () => {
  let s: InProcessServer;
  let kms: KMSClient;
  const newKey = async () => (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId ?? '';

  before(async () => {
    s = await startInProcess({ schedulerIntervalMs: 0 });
    kms = kmsClient(s);
  });
  after(() => s.close());

  it('EnableKeyRotation defaults to 365 days; GetKeyRotationStatus reports the period and a NextRotationDate', async () => {
    const keyId = await newKey();
    const before = await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
    assert.equal(before.KeyRotationEnabled, false);
    assert.equal(before.NextRotationDate, undefined);
    const t = Date.now();
    await kms.send(new EnableKeyRotationCommand({ KeyId: keyId }));
    const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
    assert.equal(status.KeyId, keyId);
    assert.equal(status.KeyRotationEnabled, true);
    assert.equal(status.RotationPeriodInDays, 365);
    assert.ok(status.NextRotationDate instanceof Date);
    assert.ok(Math.abs(status.NextRotationDate.getTime() - (t + 365 * DAY)) < 60_000);
    assert.equal(status.OnDemandRotationStartDate, undefined, 'on-demand rotations complete within the request');
    await kms.send(new DisableKeyRotationCommand({ KeyId: keyId }));
    const off = await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
    assert.equal(off.KeyRotationEnabled, false);
    assert.equal(off.RotationPeriodInDays, undefined);
  });

  it('RotationPeriodInDays outside 90–2560 is a ValidationException with AWS wording (no lower limit configured)', async () => {
    const keyId = await newKey();
    for (const [days, text] of [
      [89, /rotationPeriodInDays.*greater than or equal to 90/],
      [2561, /rotationPeriodInDays.*less than or equal to 2560/],
      [1, /rotationPeriodInDays.*greater than or equal to 90/],
    ] as const) {
      await assert.rejects(kms.send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: days })), (e: Error) => {
        assert.equal(e.name, 'ValidationException');
        assert.match(e.message, text);
        return true;
      });
    }
  });

  it('RotateKeyOnDemand and ListKeyRotations: RotationDate is a Date and RotationType ON_DEMAND', async () => {
    const keyId = await newKey();
    // AWS answers the key ARN.
    assert.equal((await kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }))).KeyId, `arn:aws:kms:us-east-1:111122223333:key/${keyId}`);
    const list = await kms.send(new ListKeyRotationsCommand({ KeyId: keyId }));
    assert.equal(list.Truncated, false);
    assert.equal(list.Rotations?.length, 1);
    assert.equal(list.Rotations?.[0]?.KeyId, keyId);
    assert.equal(list.Rotations?.[0]?.RotationType, 'ON_DEMAND');
    assert.ok(list.Rotations?.[0]?.RotationDate instanceof Date);
    await assert.rejects(kms.send(new ListKeyRotationsCommand({ KeyId: keyId, Marker: 'bm90LWEtbWFya2Vy' })), { name: 'InvalidMarkerException' });
  });

  it('rotation settings of a disabled key answer DisabledException', async () => {
    const keyId = await newKey();
    await kms.send(new DisableKeyCommand({ KeyId: keyId }));
    await assert.rejects(kms.send(new EnableKeyRotationCommand({ KeyId: keyId })), { name: 'DisabledException' });
    await assert.rejects(kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId })), { name: 'DisabledException' });
  });

  it('ScheduleKeyDeletion defaults to 30 days, refuses crypto with KMSInvalidStateException; CancelKeyDeletion leaves the key Disabled', async () => {
    const keyId = await newKey();
    const t = Date.now();
    const scheduled = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId }));
    assert.equal(scheduled.KeyId, `arn:aws:kms:us-east-1:111122223333:key/${keyId}`);
    assert.equal(scheduled.KeyState, 'PendingDeletion');
    assert.equal(scheduled.PendingWindowInDays, 30);
    assert.ok(scheduled.DeletionDate instanceof Date);
    assert.ok(Math.abs(scheduled.DeletionDate.getTime() - (t + 30 * DAY)) < 60_000);
    const meta = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
    assert.equal(meta?.KeyState, 'PendingDeletion');
    assert.equal(meta?.Enabled, false);
    assert.equal(meta?.DeletionDate?.getTime(), scheduled.DeletionDate.getTime());
    await assert.rejects(kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') })), (e: Error) => {
      assert.equal(e.name, 'KMSInvalidStateException');
      assert.equal(e.message, `${scheduled.KeyId} is pending deletion.`);
      return true;
    });
    await assert.rejects(kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId })), { name: 'KMSInvalidStateException' });
    assert.equal((await kms.send(new CancelKeyDeletionCommand({ KeyId: keyId }))).KeyId, scheduled.KeyId);
    const after = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
    assert.equal(after?.KeyState, 'Disabled');
    assert.equal(after?.DeletionDate, undefined);
    await assert.rejects(kms.send(new CancelKeyDeletionCommand({ KeyId: keyId })), (e: Error) => {
      assert.equal(e.name, 'KMSInvalidStateException');
      assert.equal(e.message, `${scheduled.KeyId} is not pending deletion.`);
      return true;
    });
  });

  it('PendingWindowInDays outside 7–30 is a ValidationException with AWS wording', async () => {
    const keyId = await newKey();
    for (const [days, text] of [
      [6, /pendingWindowInDays.*greater than or equal to 7/],
      [31, /pendingWindowInDays.*less than or equal to 30/],
    ] as const) {
      await assert.rejects(kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: days })), (e: Error) => {
        assert.equal(e.name, 'ValidationException');
        assert.match(e.message, text);
        return true;
      });
    }
  });
});
