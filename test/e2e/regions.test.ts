import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { CreateAliasCommand, CreateGrantCommand, CreateKeyCommand, ListRetirableGrantsCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, KMSClient, ListAliasesCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { callOperation } from '../../src/cli/client.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { expectKmsError } from '../helpers/kms-client.js';

const servers: InProcessServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

function client(s: InProcessServer, region: string, credentials = s.credentials): KMSClient {
  return new KMSClient({ endpoint: s.endpoint, region, credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey }, maxAttempts: 1 });
}

describe('regions: namespaces of one deployment (issue 20, ADR 0022)', () => {
  it('clients of two regions on one endpoint see two namespaces of keys and aliases; ARNs and audit events name the region', async () => {
    const s = await startInProcess({ regions: 'any' });
    servers.push(s);
    const us = client(s, 'us-east-1');
    const eu = client(s, 'eu-central-1');
    const usKey = (await us.send(new CreateKeyCommand({ Description: 'us' }))).KeyMetadata;
    const euKey = (await eu.send(new CreateKeyCommand({ Description: 'eu' }))).KeyMetadata;
    assert.match(usKey?.Arn ?? '', /^arn:aws:kms:us-east-1:111122223333:key\//);
    assert.match(euKey?.Arn ?? '', /^arn:aws:kms:eu-central-1:111122223333:key\//);
    assert.deepEqual((await us.send(new ListKeysCommand({}))).Keys?.map((k) => k.KeyId), [usKey?.KeyId]);
    assert.deepEqual((await eu.send(new ListKeysCommand({}))).Keys?.map((k) => k.KeyArn), [euKey?.Arn]);
    // Another region's key is, here, a key that does not exist: by id, and by its ARN (AWS's "Invalid arn").
    const byId = await expectKmsError(us.send(new DescribeKeyCommand({ KeyId: euKey?.KeyId })), 'NotFoundException');
    assert.equal(byId.message, `Key 'arn:aws:kms:us-east-1:111122223333:key/${euKey?.KeyId}' does not exist`);
    const byArn = await expectKmsError(us.send(new EncryptCommand({ KeyId: euKey?.Arn, Plaintext: Buffer.from('x') })), 'NotFoundException');
    assert.equal(byArn.message, 'Invalid arn eu-central-1');
    // One alias name in both regions.
    await us.send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: usKey?.KeyId }));
    await eu.send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: euKey?.KeyId }));
    assert.deepEqual((await eu.send(new ListAliasesCommand({}))).Aliases?.map((a) => [a.AliasArn, a.TargetKeyId]), [['arn:aws:kms:eu-central-1:111122223333:alias/app', euKey?.KeyId]]);
    const blob = (await eu.send(new EncryptCommand({ KeyId: 'alias/app', Plaintext: Buffer.from('eu data') }))).CiphertextBlob;
    assert.equal(Buffer.from((await eu.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext ?? []).toString(), 'eu data');
    // A single-Region key's ciphertext does not decrypt in another region.
    await expectKmsError(us.send(new DecryptCommand({ CiphertextBlob: blob })), 'InvalidCiphertextException');
    // Grants hang off keys: ListRetirableGrants lists this region's.
    const adminArn = 'arn:aws:iam::111122223333:user/admin';
    await us.send(new CreateGrantCommand({ KeyId: usKey?.KeyId, GranteePrincipal: adminArn, RetiringPrincipal: adminArn, Operations: ['Encrypt'] }));
    assert.equal((await us.send(new ListRetirableGrantsCommand({ RetiringPrincipal: adminArn }))).Grants?.length, 1);
    assert.equal((await eu.send(new ListRetirableGrantsCommand({ RetiringPrincipal: adminArn }))).Grants?.length, 0);
    const admin = { endpoint: s.endpoint, region: 'eu-central-1', credentials: s.credentials };
    const events = (await callOperation(admin, 'ArcaService.ListAuditEvents', { EventName: 'CreateAlias' }))['Events'] as { awsRegion?: string }[];
    assert.deepEqual(events.map((e) => e.awsRegion).sort(), ['eu-central-1', 'us-east-1']);
  });

  it('a residency policy on aws:RequestedRegion refuses use from the wrong region', async () => {
    const s = await startInProcess({ regions: ['eu-central-1', 'eu-west-1'] });
    servers.push(s);
    const admin = { endpoint: s.endpoint, region: 'eu-central-1', credentials: s.credentials };
    await callOperation(admin, 'ArcaService.CreatePrincipal', { PrincipalName: 'eu-app' });
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'kms:*', Resource: '*' },
        { Effect: 'Deny', Action: 'kms:*', Resource: '*', Condition: { StringNotLike: { 'aws:RequestedRegion': 'eu-*' } } },
      ],
    };
    await callOperation(admin, 'ArcaService.PutPrincipalPolicy', { PrincipalName: 'eu-app', PolicyName: 'eu-only', PolicyDocument: JSON.stringify(policy) });
    const key = await callOperation(admin, 'ArcaService.CreateAccessKey', { PrincipalName: 'eu-app' });
    const creds = { ...s.credentials, accessKeyId: String((key['AccessKey'] as Record<string, unknown>)['AccessKeyId']), secretAccessKey: String((key['AccessKey'] as Record<string, unknown>)['SecretAccessKey']) };
    assert.ok((await client(s, 'eu-west-1', creds).send(new CreateKeyCommand({}))).KeyMetadata?.KeyId);
    await expectKmsError(client(s, 'us-east-1', creds).send(new CreateKeyCommand({})), 'AccessDeniedException');
    // A region the deployment does not serve is refused before any policy is read.
    await expectKmsError(client(s, 'ap-south-1').send(new ListKeysCommand({})), 'InvalidSignatureException');
  });
});
