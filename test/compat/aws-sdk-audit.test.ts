/**
 * Compatibility: GetKeyLastUsage through the real AWS SDK for JavaScript v3, answered from the audit trail.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateKeyCommand, EncryptCommand, GetKeyLastUsageCommand, NotFoundException } from '@aws-sdk/client-kms';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { kmsClient } from '../helpers/kms-client.js';

describe('AWS SDK: GetKeyLastUsage', () => {
  let s: InProcessServer;
  before(async () => {
    s = await startInProcess();
  });
  after(() => s.close());

  it('reports no usage for a new key, then the last Encrypt with its event and request ids', async () => {
    const kms = kmsClient(s);
    const created = await kms.send(new CreateKeyCommand({}));
    const keyId = created.KeyMetadata?.KeyId;
    const fresh = await kms.send(new GetKeyLastUsageCommand({ KeyId: keyId }));
    assert.equal(fresh.KeyId, keyId);
    assert.equal(fresh.KeyLastUsage, undefined);
    assert.ok(fresh.TrackingStartDate instanceof Date);
    assert.equal(fresh.KeyCreationDate?.getTime(), created.KeyMetadata?.CreationDate?.getTime());

    const enc = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }));
    const used = await kms.send(new GetKeyLastUsageCommand({ KeyId: created.KeyMetadata?.Arn }));
    assert.equal(used.KeyLastUsage?.Operation, 'Encrypt');
    assert.equal(used.KeyLastUsage?.KmsRequestId, enc.$metadata.requestId);
    assert.ok(used.KeyLastUsage?.Timestamp instanceof Date);
    const event = (await s.app.audit.list(100_000)).find((e) => e.requestID === enc.$metadata.requestId);
    assert.equal(used.KeyLastUsage?.CloudTrailEventId, event?.eventID);

    await assert.rejects(kms.send(new GetKeyLastUsageCommand({ KeyId: 'alias/anything' })), (e: unknown) => e instanceof Error && e.name !== 'Error');
    await assert.rejects(kms.send(new GetKeyLastUsageCommand({ KeyId: '00000000-0000-0000-0000-000000000000' })), NotFoundException);
  });
});
