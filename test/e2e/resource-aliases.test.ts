/**
 * `kms:ResourceAliases` sees every alias of a key, however many it has: a Deny naming its 150th alias
 * applies (keys made before the 50-alias quota may hold more than one page of aliases).
 */
import { describe, it } from 'node:test';
import { CreateKeyCommand, EncryptCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { startInProcess } from '../helpers/in-process.js';
import { expectKmsError, kmsClient } from '../helpers/kms-client.js';
import { sqliteOf } from '../helpers/in-process.js';

describe('kms:ResourceAliases', () => {
  it('a Deny on an alias past the first page of a key with 150 aliases applies', async () => {
    const s = await startInProcess();
    try {
      const kms = kmsClient(s);
      const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId ?? '';
      // More aliases than the quota lets CreateAlias make today: written as an older database holds them.
      const insert = sqliteOf(s.app).prepare("INSERT INTO aliases (region, name, key_id, created_at, updated_at) VALUES ('us-east-1', ?, ?, 0, 0)");
      for (let i = 0; i < 150; i++) insert.run(`alias/a${String(i).padStart(3, '0')}`, keyId);
      const policy = {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' },
          { Effect: 'Deny', Principal: '*', Action: 'kms:Encrypt', Resource: '*', Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/a149' } } },
        ],
      };
      await kms.send(new PutKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default', Policy: JSON.stringify(policy) }));
      await expectKmsError(kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') })), 'AccessDeniedException');
    } finally {
      await s.close();
    }
  });
});
