/**
 * Issue 19 (ADR 0021), through @aws-sdk/client-kms: a grant to a service principal with a SourceArn
 * constraint, the service principal using it for that resource and for another, ListRetirableGrants by
 * RetiringServicePrincipal and RetireGrant by the service principal. The service principal names the
 * resource it acts for in the signed `x-arca-source-arn` header, added by a middleware before signing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateGrantCommand, CreateKeyCommand, DescribeKeyCommand, EncryptCommand, KMSClient, ListGrantsCommand, ListRetirableGrantsCommand, RetireGrantCommand } from '@aws-sdk/client-kms';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { expectKmsError, kmsClient } from '../helpers/kms-client.js';
import { adminCall } from '../helpers/principals.js';

const LOGS = 'logs.amazonaws.com';
const GROUP = 'arn:aws:logs:us-east-1:111122223333:log-group:app';
const OTHER_GROUP = 'arn:aws:logs:us-east-1:111122223333:log-group:other';

let server: InProcessServer;
let admin: KMSClient;
let credentials: { accessKeyId: string; secretAccessKey: string };

/** A client signing as the service principal, naming `sourceArn` (when given) in a header the signature covers. */
function logsClient(sourceArn?: string): KMSClient {
  const client = new KMSClient({ endpoint: server.endpoint, region: server.credentials.region, credentials, maxAttempts: 1 });
  if (sourceArn !== undefined) {
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers: Record<string, string> };
        request.headers['x-arca-source-arn'] = sourceArn;
        return next(args);
      },
      { step: 'build', name: 'arcaSourceArn' },
    );
  }
  return client;
}

before(async () => {
  server = await startInProcess();
  admin = kmsClient(server);
  await adminCall(server, 'CreatePrincipal', { PrincipalName: LOGS, PrincipalType: 'service' });
  await adminCall(server, 'PutPrincipalPolicy', {
    PrincipalName: LOGS,
    PolicyName: 'list-retirable',
    PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:ListRetirableGrants', Resource: '*' }] }),
  });
  const key = (await adminCall(server, 'CreateAccessKey', { PrincipalName: LOGS }))['AccessKey'] as { AccessKeyId: string; SecretAccessKey: string };
  credentials = { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
});

after(async () => {
  await server.close();
});

describe('grants to a service principal through the AWS SDK', () => {
  it('the service principal uses the grant for its SourceArn only, lists it as retirable and retires it', async () => {
    const keyId = (await admin.send(new CreateKeyCommand({})))?.KeyMetadata?.KeyId ?? '';
    const plaintext = new TextEncoder().encode('log line');
    await expectKmsError(logsClient(GROUP).send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext })), 'AccessDeniedException', 400);

    const { GrantId } = await admin.send(
      new CreateGrantCommand({ KeyId: keyId, GranteeServicePrincipal: LOGS, RetiringServicePrincipal: LOGS, Operations: ['Encrypt', 'DescribeKey'], Constraints: { SourceArn: GROUP } }),
    );
    assert.match(GrantId ?? '', /^[0-9a-f]{64}$/);
    const [listed] = (await admin.send(new ListGrantsCommand({ KeyId: keyId }))).Grants ?? [];
    assert.equal(listed?.GranteeServicePrincipal, LOGS);
    assert.equal(listed?.RetiringServicePrincipal, LOGS);
    assert.equal(listed?.Constraints?.SourceArn, GROUP);

    const encrypted = await logsClient(GROUP).send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext }));
    assert.ok((encrypted.CiphertextBlob?.length ?? 0) > 0);
    await logsClient(GROUP).send(new DescribeKeyCommand({ KeyId: keyId }));
    await expectKmsError(logsClient(OTHER_GROUP).send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext })), 'AccessDeniedException', 400);
    await expectKmsError(logsClient().send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext })), 'AccessDeniedException', 400);

    const retirable = await logsClient().send(new ListRetirableGrantsCommand({ RetiringServicePrincipal: LOGS }));
    assert.deepEqual(retirable.Grants?.map((g) => g.GrantId), [GrantId]);
    assert.equal(retirable.Grants?.[0]?.KeyId, listed?.KeyId);

    await logsClient().send(new RetireGrantCommand({ KeyId: listed?.KeyId ?? '', GrantId: GrantId ?? '' }));
    assert.deepEqual((await admin.send(new ListGrantsCommand({ KeyId: keyId }))).Grants, []);
    await expectKmsError(logsClient(GROUP).send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext })), 'AccessDeniedException', 400);
  });

  it('a caller that is not a service principal cannot claim a source ARN', async () => {
    const client = new KMSClient({ endpoint: server.endpoint, region: server.credentials.region, credentials: server.credentials, maxAttempts: 1 });
    client.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { headers: Record<string, string> }).headers['x-arca-source-arn'] = GROUP;
        return next(args);
      },
      { step: 'build', name: 'arcaSourceArn' },
    );
    const e = await expectKmsError(client.send(new CreateKeyCommand({})), 'AccessDeniedException', 400);
    assert.match(e.message, /is not a service principal/);
  });

  it('CreateGrant refuses a grant to a service principal without a SourceArn constraint with a ValidationException', async () => {
    const keyId = (await admin.send(new CreateKeyCommand({})))?.KeyMetadata?.KeyId ?? '';
    const e = await expectKmsError(admin.send(new CreateGrantCommand({ KeyId: keyId, GranteeServicePrincipal: LOGS, RetiringServicePrincipal: LOGS, Operations: ['Encrypt'] })), 'ValidationException', 400);
    assert.equal(e.message, "1 validation error detected: Value null at 'constraints.sourceArn' failed to satisfy constraint: Member must not be null");
  });
});
