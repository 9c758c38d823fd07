/**
 * Key material IDs through the AWS SDK (AWS, June 2025): `CurrentKeyMaterialId` in KeyMetadata, the
 * `KeyMaterialId` of Decrypt and GenerateDataKey*, ReEncrypt's `SourceKeyMaterialId` and
 * `DestinationKeyMaterialId`; each names the generation of the key's material that did the work, so a
 * rotation gives new ciphertexts a new id while old ciphertexts keep theirs. Only symmetric encryption
 * keys name their material, as AWS.
 */
import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyPairCommand,
  GenerateDataKeyPairWithoutPlaintextCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { kmsClient } from '../helpers/kms-client.js';

const HEX64 = /^[0-9a-f]{64}$/;

describe('key material IDs through the AWS SDK', () => {
  let s: InProcessServer;
  let kms: KMSClient;
  const current = async (KeyId: string) => (await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata?.CurrentKeyMaterialId;

  before(async () => {
    s = await startInProcess({ schedulerIntervalMs: 0 });
    kms = kmsClient(s);
  });
  after(() => s.close());

  it('a symmetric key names its current material; data keys and Decrypt name the generation that sealed them', async () => {
    const created = await kms.send(new CreateKeyCommand({}));
    const keyId = created.KeyMetadata?.KeyId ?? assert.fail('no key id');
    const first = created.KeyMetadata?.CurrentKeyMaterialId ?? assert.fail('CreateKey names no CurrentKeyMaterialId');
    assert.match(first, HEX64);
    assert.equal(await current(keyId), first);

    const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' }));
    assert.equal(dataKey.KeyMaterialId, first);
    assert.equal((await kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: keyId, NumberOfBytes: 32 }))).KeyMaterialId, first);
    assert.equal((await kms.send(new GenerateDataKeyPairCommand({ KeyId: keyId, KeyPairSpec: 'ECC_NIST_P256' }))).KeyMaterialId, first);
    assert.equal((await kms.send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: keyId, KeyPairSpec: 'ECC_NIST_P256' }))).KeyMaterialId, first);
    const old = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('before rotation') }));

    await kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    const second = await current(keyId);
    assert.match(second ?? '', HEX64);
    assert.notEqual(second, first, 'a rotation makes a new generation with a new id');

    const fresh = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('after rotation') }));
    assert.equal((await kms.send(new DecryptCommand({ CiphertextBlob: old.CiphertextBlob }))).KeyMaterialId, first);
    assert.equal((await kms.send(new DecryptCommand({ CiphertextBlob: fresh.CiphertextBlob, KeyId: keyId }))).KeyMaterialId, second);
    assert.equal((await kms.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob }))).KeyMaterialId, first);
    assert.equal((await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 16 }))).KeyMaterialId, second);

    const other = (await kms.send(new CreateKeyCommand({}))).KeyMetadata;
    const moved = await kms.send(new ReEncryptCommand({ CiphertextBlob: old.CiphertextBlob, DestinationKeyId: other?.KeyId }));
    assert.equal(moved.SourceKeyMaterialId, first);
    assert.equal(moved.DestinationKeyMaterialId, other?.CurrentKeyMaterialId);
    assert.notEqual(other?.CurrentKeyMaterialId, first, 'ids differ between keys');
  });

  it('asymmetric keys and keys awaiting imported material name none', async () => {
    const rsa = (await kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }))).KeyMetadata;
    assert.equal(rsa?.CurrentKeyMaterialId, undefined);
    const sealed = await kms.send(new EncryptCommand({ KeyId: rsa?.KeyId, Plaintext: Buffer.from('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
    const opened = await kms.send(new DecryptCommand({ KeyId: rsa?.KeyId, CiphertextBlob: sealed.CiphertextBlob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
    assert.equal(opened.KeyMaterialId, undefined);

    const symmetric = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId;
    const blob = (await kms.send(new EncryptCommand({ KeyId: symmetric, Plaintext: Buffer.from('y') }))).CiphertextBlob;
    const toRsa = await kms.send(new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: rsa?.KeyId, DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
    assert.match(toRsa.SourceKeyMaterialId ?? '', HEX64);
    assert.equal(toRsa.DestinationKeyMaterialId, undefined);

    const pending = (await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata;
    assert.equal(pending?.KeyState, 'PendingImport');
    assert.equal(pending?.CurrentKeyMaterialId, undefined);
  });
});
