/**
 * Compatibility: the smaller wire features of the 2026 API (issue 19), through the real AWS SDK against
 * an in-process Arca: DryRunModifiers IGNORE_CIPHERTEXT on Decrypt and ReEncrypt, PolicyName optional on
 * GetKeyPolicy and PutKeyPolicy, KeyAgreementAlgorithms in KeyMetadata, RotationPeriodInDays 90–2560,
 * RotateKeyOnDemand answering the key ARN, and TagException for too many tags.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GetKeyPolicyCommand,
  KMSClient,
  PutKeyPolicyCommand,
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
  TagResourceCommand,
  type CreateKeyCommandInput,
} from '@aws-sdk/client-kms';
import { expectKmsError, kmsClient } from '../helpers/kms-client.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';

let server: InProcessServer;
let kms: KMSClient;

before(async () => {
  server = await startInProcess();
  kms = kmsClient(server);
});
after(async () => {
  kms?.destroy();
  await server?.close();
});

async function newKey(input: CreateKeyCommandInput = {}): Promise<{ id: string; arn: string }> {
  const out = await kms.send(new CreateKeyCommand(input));
  return { id: out.KeyMetadata?.KeyId ?? '', arn: out.KeyMetadata?.Arn ?? '' };
}

describe('DryRunModifiers: [IGNORE_CIPHERTEXT]', () => {
  it('Decrypt: a DryRun that ignores the ciphertext needs none, only the key, and answers DryRunOperationException (400)', async () => {
    const key = await newKey();
    await expectKmsError(kms.send(new DecryptCommand({ KeyId: key.id, DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'] })), 'DryRunOperationException', 400);
    // A ciphertext that does not decrypt is not looked at either.
    await expectKmsError(kms.send(new DecryptCommand({ KeyId: key.id, CiphertextBlob: Buffer.from('not a ciphertext'), DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'] })), 'DryRunOperationException', 400);
  });

  it('Decrypt: without the modifier the ciphertext is checked and required', async () => {
    const key = await newKey();
    await expectKmsError(kms.send(new DecryptCommand({ KeyId: key.id, CiphertextBlob: Buffer.from('not a ciphertext'), DryRun: true })), 'InvalidCiphertextException', 400);
    const missing = await expectKmsError(kms.send(new DecryptCommand({ KeyId: key.id, DryRun: true })), 'ValidationException', 400);
    assert.match(missing.message, /Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null/);
  });

  it('Decrypt: ignoring the ciphertext, the key must be named, and must be an encryption key', async () => {
    const noKey = await expectKmsError(kms.send(new DecryptCommand({ DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'] })), 'ValidationException', 400);
    assert.match(noKey.message, /at 'keyId' failed to satisfy constraint: Member must not be null/);
    const signing = await newKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    await expectKmsError(kms.send(new DecryptCommand({ KeyId: signing.id, DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'] })), 'InvalidKeyUsageException', 400);
  });

  it('ReEncrypt: a DryRun that ignores the ciphertext needs the source key named instead', async () => {
    const source = await newKey();
    const destination = await newKey();
    await expectKmsError(
      kms.send(new ReEncryptCommand({ SourceKeyId: source.id, DestinationKeyId: destination.id, DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'] })),
      'DryRunOperationException',
      400,
    );
    await expectKmsError(kms.send(new ReEncryptCommand({ DestinationKeyId: destination.id, DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'] })), 'ValidationException', 400);
    await expectKmsError(kms.send(new ReEncryptCommand({ SourceKeyId: source.id, DestinationKeyId: destination.id, DryRun: true })), 'ValidationException', 400);
  });

  it('without DryRun the modifier changes nothing: a real Decrypt still decrypts', async () => {
    const key = await newKey();
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: key.id, Plaintext: Buffer.from('hello') }));
    const out = await kms.send(new DecryptCommand({ CiphertextBlob, DryRunModifiers: ['IGNORE_CIPHERTEXT'] }));
    assert.equal(Buffer.from(out.Plaintext ?? []).toString(), 'hello');
  });
});

describe('key policies without PolicyName', () => {
  it('GetKeyPolicy and PutKeyPolicy take the default policy when PolicyName is left out', async () => {
    const key = await newKey();
    const got = await kms.send(new GetKeyPolicyCommand({ KeyId: key.id }));
    assert.equal(got.PolicyName, 'default');
    const policy = got.Policy ?? '';
    assert.ok(policy.includes('kms:*'), policy);
    await kms.send(new PutKeyPolicyCommand({ KeyId: key.id, Policy: policy }));
    assert.equal((await kms.send(new GetKeyPolicyCommand({ KeyId: key.id }))).Policy, policy);
  });
});

describe('KeyMetadata', () => {
  it('lists KeyAgreementAlgorithms for a key-agreement key, and not for others', async () => {
    const agreement = await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P384', KeyUsage: 'KEY_AGREEMENT' }));
    assert.deepEqual(agreement.KeyMetadata?.KeyAgreementAlgorithms, ['ECDH']);
    const described = await kms.send(new DescribeKeyCommand({ KeyId: agreement.KeyMetadata?.KeyId }));
    assert.deepEqual(described.KeyMetadata?.KeyAgreementAlgorithms, ['ECDH']);
    const symmetric = await kms.send(new CreateKeyCommand({}));
    assert.equal(symmetric.KeyMetadata?.KeyAgreementAlgorithms, undefined);
  });
});

describe('rotation', () => {
  it('RotationPeriodInDays takes 90 to 2560, as AWS, and quotes a refused value', async () => {
    const key = await newKey();
    for (const days of [90, 2560]) await kms.send(new EnableKeyRotationCommand({ KeyId: key.id, RotationPeriodInDays: days }));
    const low = await expectKmsError(kms.send(new EnableKeyRotationCommand({ KeyId: key.id, RotationPeriodInDays: 89 })), 'ValidationException', 400);
    assert.equal(low.message, "1 validation error detected: Value '89' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 90");
    const high = await expectKmsError(kms.send(new EnableKeyRotationCommand({ KeyId: key.id, RotationPeriodInDays: 2561 })), 'ValidationException', 400);
    assert.equal(high.message, "1 validation error detected: Value '2561' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value less than or equal to 2560");
  });

  it('RotateKeyOnDemand answers the key ARN, whatever form of KeyId was sent', async () => {
    const key = await newKey();
    assert.equal((await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.id }))).KeyId, key.arn);
    assert.equal((await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.arn }))).KeyId, key.arn);
  });
});

describe('tags', () => {
  it('a key that would have more than 50 tags is a TagException "Too many tags", on CreateKey and on TagResource', async () => {
    const tags = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ TagKey: `${prefix}${i}`, TagValue: 'v' }));
    const created = await expectKmsError(kms.send(new CreateKeyCommand({ Tags: tags(51, 'k') })), 'TagException', 400);
    assert.equal(created.message, 'Too many tags');
    const key = await newKey({ Tags: tags(50, 'k') });
    const added = await expectKmsError(kms.send(new TagResourceCommand({ KeyId: key.id, Tags: tags(1, 'extra') })), 'TagException', 400);
    assert.equal(added.message, 'Too many tags');
    // Replacing an existing tag's value adds none.
    await kms.send(new TagResourceCommand({ KeyId: key.id, Tags: [{ TagKey: 'k0', TagValue: 'new' }] }));
  });
});
