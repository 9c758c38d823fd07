/**
 * Imported key material IDs through the AWS SDK (AWS, June 2025), for the first generation of imported
 * material (byok-generations.test.ts has several): ImportKeyMaterial's ImportType and KeyMaterialId, its answer's
 * KeyMaterialId, RotateKeyOnDemand's answer when no material is pending rotation, ListKeyRotations with
 * IncludeKeyMaterial, and DeleteImportedKeyMaterial by KeyMaterialId.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  EncryptCommand,
  ListKeyRotationsCommand,
  RotateKeyOnDemandCommand,
  type ImportKeyMaterialCommandInput,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { externalKey as externalKeyOf, importMaterial as importMaterialWith } from '../helpers/byok-import.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { expectKmsError, kmsClient } from '../helpers/kms-client.js';

let server: InProcessServer;
let kms: KMSClient;

before(async () => {
  server = await startInProcess({ schedulerIntervalMs: 0 });
  kms = kmsClient(server);
});
after(async () => {
  kms.destroy();
  await server.close();
});

const externalKey = () => externalKeyOf(kms);

const importMaterial = (KeyId: string, material: Buffer, extra: Partial<ImportKeyMaterialCommandInput> = {}) => importMaterialWith(kms, KeyId, material, extra);

describe('imported key material IDs', () => {
  it('the first import answers its KeyMaterialId, which DescribeKey, Decrypt and ListKeyRotations name', async () => {
    const keyId = await externalKey();
    const material = randomBytes(32);
    const out = await importMaterial(keyId, material);
    assert.match(out.KeyMaterialId ?? '', /^[0-9a-f]{64}$/);
    const id = out.KeyMaterialId;
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.CurrentKeyMaterialId, id);
    const sealed = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('imported') }));
    assert.equal((await kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }))).KeyMaterialId, id);

    assert.deepEqual((await kms.send(new ListKeyRotationsCommand({ KeyId: keyId }))).Rotations, [], 'the first material is no rotation');
    const all = await kms.send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }));
    assert.deepEqual(all.Rotations, [{ KeyId: keyId, KeyMaterialId: id, ImportState: 'IMPORTED', KeyMaterialState: 'CURRENT', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }]);

    // Imported again (EXISTING_KEY_MATERIAL by default after the first import, or named with its id); a
    // description is kept by a re-import that names none.
    assert.equal((await importMaterial(keyId, material, { KeyMaterialDescription: 'HSM export 2026-12' })).KeyMaterialId, id);
    assert.equal((await importMaterial(keyId, material, { ImportType: 'EXISTING_KEY_MATERIAL', KeyMaterialId: id })).KeyMaterialId, id);
    const described = await kms.send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }));
    assert.equal(described.Rotations?.[0]?.KeyMaterialDescription, 'HSM export 2026-12');
  });

  it('refuses what it cannot do with AWS errors: a wrong id, an id with NEW_KEY_MATERIAL, EXISTING first, a second NEW while one is pending', async () => {
    const keyId = await externalKey();
    const material = randomBytes(32);
    await expectKmsError(importMaterial(keyId, material, { ImportType: 'EXISTING_KEY_MATERIAL' }), 'ValidationException');
    await expectKmsError(importMaterial(keyId, material, { ImportType: 'NEW_KEY_MATERIAL', KeyMaterialId: 'a'.repeat(64) }), 'ValidationException');
    await importMaterial(keyId, material, { ImportType: 'NEW_KEY_MATERIAL' });
    await expectKmsError(importMaterial(keyId, material, { KeyMaterialId: 'b'.repeat(64) }), 'NotFoundException');
    // A second generation waits for rotation; a third is refused while it waits (Arca's wording: docs/aws-compatibility.md).
    await importMaterial(keyId, randomBytes(32), { ImportType: 'NEW_KEY_MATERIAL' });
    await expectKmsError(importMaterial(keyId, randomBytes(32), { ImportType: 'NEW_KEY_MATERIAL' }), 'KMSInvalidStateException');
  });

  it('RotateKeyOnDemand with no material pending rotation is KMSInvalidStateException, with AWS message', async () => {
    const keyId = await externalKey();
    await importMaterial(keyId, randomBytes(32));
    const arn = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.Arn;
    const e = await expectKmsError(kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId })), 'KMSInvalidStateException');
    assert.equal(e.message, `No available key material pending rotation for the key: ${arn}.`);
  });

  it('DeleteImportedKeyMaterial by KeyMaterialId answers {KeyId, KeyMaterialId}; the material is PENDING_IMPORT until imported again', async () => {
    const keyId = await externalKey();
    const material = randomBytes(32);
    const id = (await importMaterial(keyId, material)).KeyMaterialId;
    const sealed = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('kept') }));
    await expectKmsError(kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId, KeyMaterialId: 'c'.repeat(64) })), 'NotFoundException');
    const deleted = await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId, KeyMaterialId: id }));
    const arn = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.Arn;
    assert.equal(deleted.KeyId, arn);
    assert.equal(deleted.KeyMaterialId, id);
    const listed = await kms.send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }));
    assert.equal(listed.Rotations?.[0]?.ImportState, 'PENDING_IMPORT');
    await expectKmsError(kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob })), 'KMSInvalidStateException');
    assert.equal((await importMaterial(keyId, material, { KeyMaterialId: id })).KeyMaterialId, id);
    const opened = await kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }));
    assert.equal(Buffer.from(opened.Plaintext ?? []).toString(), 'kept');
    assert.equal(opened.KeyMaterialId, id);
  });
});
