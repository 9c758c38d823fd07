import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  CreateAliasCommand, CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EnableKeyRotationCommand, EncryptCommand, GetKeyRotationStatusCommand, KMSClient, ListKeysCommand, ListResourceTagsCommand,
  ReplicateKeyCommand, RotateKeyOnDemandCommand, UpdatePrimaryRegionCommand,
} from '@aws-sdk/client-kms';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { expectKmsError } from '../helpers/kms-client.js';

const servers: InProcessServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

function client(s: InProcessServer, region: string): KMSClient {
  return new KMSClient({ endpoint: s.endpoint, region, credentials: { accessKeyId: s.credentials.accessKeyId, secretAccessKey: s.credentials.secretAccessKey }, maxAttempts: 1 });
}

describe('multi-Region keys through the AWS SDK (issue 20, ADR 0022)', () => {
  it('a replica shares the key id and material: ciphertexts cross regions, rotation of the primary reaches it, UpdatePrimaryRegion moves the primary', async () => {
    const s = await startInProcess({ regions: ['eu-central-1'] });
    servers.push(s);
    const us = client(s, 'us-east-1');
    const eu = client(s, 'eu-central-1');
    const created = (await us.send(new CreateKeyCommand({ MultiRegion: true, Description: 'orders' }))).KeyMetadata;
    const id = created?.KeyId ?? '';
    assert.match(id, /^mrk-[0-9a-f]{32}$/);
    assert.equal(created?.MultiRegion, true);
    assert.deepEqual(created?.MultiRegionConfiguration, { MultiRegionKeyType: 'PRIMARY', PrimaryKey: { Arn: created?.Arn, Region: 'us-east-1' }, ReplicaKeys: [] });
    const before = (await us.send(new EncryptCommand({ KeyId: id, Plaintext: Buffer.from('made in us-east-1'), EncryptionContext: { order: '1' } }))).CiphertextBlob;
    await expectKmsError(eu.send(new DescribeKeyCommand({ KeyId: id })), 'NotFoundException');

    const replicated = await us.send(new ReplicateKeyCommand({ KeyId: id, ReplicaRegion: 'eu-central-1', Description: 'orders (eu)', Tags: [{ TagKey: 'site', TagValue: 'eu' }] }));
    const replicaArn = `arn:aws:kms:eu-central-1:111122223333:key/${id}`;
    assert.equal(replicated.ReplicaKeyMetadata?.Arn, replicaArn);
    assert.equal(replicated.ReplicaKeyMetadata?.KeyId, id);
    assert.equal(replicated.ReplicaKeyMetadata?.MultiRegionConfiguration?.MultiRegionKeyType, 'REPLICA');
    assert.deepEqual(replicated.ReplicaTags, [{ TagKey: 'site', TagValue: 'eu' }]);
    assert.match(replicated.ReplicaPolicy ?? '', /arn:aws:iam::111122223333:root/);
    await expectKmsError(us.send(new ReplicateKeyCommand({ KeyId: id, ReplicaRegion: 'eu-central-1' })), 'AlreadyExistsException');

    // The us-east-1 ciphertext decrypts in eu-central-1 with the related key.
    const opened = await eu.send(new DecryptCommand({ CiphertextBlob: before, EncryptionContext: { order: '1' } }));
    assert.equal(Buffer.from(opened.Plaintext ?? []).toString(), 'made in us-east-1');
    assert.equal(opened.KeyId, replicaArn);
    // Shared: id, material. Per region: description, tags, aliases.
    const described = (await eu.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata;
    assert.equal(described?.Description, 'orders (eu)');
    assert.deepEqual(described?.MultiRegionConfiguration?.ReplicaKeys, [{ Arn: replicaArn, Region: 'eu-central-1' }]);
    assert.deepEqual((await us.send(new ListResourceTagsCommand({ KeyId: id }))).Tags, []);
    await eu.send(new CreateAliasCommand({ AliasName: 'alias/orders', TargetKeyId: id }));
    await expectKmsError(us.send(new DescribeKeyCommand({ KeyId: 'alias/orders' })), 'NotFoundException');
    assert.deepEqual((await eu.send(new ListKeysCommand({}))).Keys, [{ KeyId: id, KeyArn: replicaArn }]);

    // Rotation: only from the primary; the new material reaches the replica.
    await expectKmsError(eu.send(new RotateKeyOnDemandCommand({ KeyId: id })), 'UnsupportedOperationException');
    await us.send(new RotateKeyOnDemandCommand({ KeyId: id }));
    const after = (await eu.send(new EncryptCommand({ KeyId: 'alias/orders', Plaintext: Buffer.from('made in eu-central-1') }))).CiphertextBlob;
    const back = await us.send(new DecryptCommand({ CiphertextBlob: after }));
    assert.equal(Buffer.from(back.Plaintext ?? []).toString(), 'made in eu-central-1');
    assert.equal(back.KeyMaterialId, (await eu.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata?.CurrentKeyMaterialId);

    // UpdatePrimaryRegion: eu-central-1 becomes the primary, us-east-1 a replica.
    await expectKmsError(eu.send(new UpdatePrimaryRegionCommand({ KeyId: id, PrimaryRegion: 'us-east-1' })), 'UnsupportedOperationException');
    await us.send(new EnableKeyRotationCommand({ KeyId: id, RotationPeriodInDays: 180 }));
    await expectKmsError(eu.send(new EnableKeyRotationCommand({ KeyId: id })), 'UnsupportedOperationException');
    await us.send(new UpdatePrimaryRegionCommand({ KeyId: id, PrimaryRegion: 'eu-central-1' }));
    // Automatic rotation moves with the primary.
    const moved = await eu.send(new GetKeyRotationStatusCommand({ KeyId: id }));
    assert.equal(moved.KeyRotationEnabled, true);
    assert.equal(moved.RotationPeriodInDays, 180);
    assert.equal((await eu.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata?.MultiRegionConfiguration?.MultiRegionKeyType, 'PRIMARY');
    const usNow = (await us.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata?.MultiRegionConfiguration;
    assert.equal(usNow?.MultiRegionKeyType, 'REPLICA');
    assert.deepEqual(usNow?.PrimaryKey, { Arn: replicaArn, Region: 'eu-central-1' });
  });

  it('ReplicateKey refuses a single-Region key, a replica, and a region the deployment does not serve', async () => {
    const s = await startInProcess({ regions: ['eu-central-1'] });
    servers.push(s);
    const us = client(s, 'us-east-1');
    const single = (await us.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId;
    await expectKmsError(us.send(new ReplicateKeyCommand({ KeyId: single, ReplicaRegion: 'eu-central-1' })), 'UnsupportedOperationException');
    const mrk = (await us.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata?.KeyId;
    await expectKmsError(us.send(new ReplicateKeyCommand({ KeyId: mrk, ReplicaRegion: 'ap-south-1' })), 'UnsupportedOperationException');
    await us.send(new ReplicateKeyCommand({ KeyId: mrk, ReplicaRegion: 'eu-central-1' }));
    await expectKmsError(client(s, 'eu-central-1').send(new ReplicateKeyCommand({ KeyId: mrk, ReplicaRegion: 'us-east-1' })), 'UnsupportedOperationException');
  });
});
