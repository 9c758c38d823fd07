/**
 * Several generations of imported key material through the AWS SDK (AWS, June 2025): ImportKeyMaterial
 * with ImportType NEW_KEY_MATERIAL stages material pending rotation, RotateKeyOnDemand makes it current,
 * ListKeyRotations lists every generation, and DeleteImportedKeyMaterial / EXISTING_KEY_MATERIAL work on
 * one generation named by its KeyMaterialId.
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

const encrypt = async (KeyId: string, text: string) => kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from(text) }));
const decrypt = async (blob: Uint8Array | undefined) => kms.send(new DecryptCommand({ CiphertextBlob: blob }));
/** The key material a ciphertext was made under, as Decrypt names it (Encrypt's answer does not, as AWS). */
const materialOf = async (blob: Uint8Array | undefined) => (await decrypt(blob)).KeyMaterialId;
const state = async (KeyId: string) => (await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata?.KeyState;

describe('imported key material generations', () => {
  it('import, NEW material pending rotation, RotateKeyOnDemand, both decrypt; delete the old generation and import it again', async () => {
    const keyId = await externalKey();
    const first = randomBytes(32);
    const second = randomBytes(32);
    const firstId = (await importMaterial(keyId, first, { KeyMaterialDescription: 'first' })).KeyMaterialId;
    const a = await encrypt(keyId, 'A');
    assert.equal(await materialOf(a.CiphertextBlob), firstId);

    // New material waits for rotation: encryption still uses the current material.
    const pending = await importMaterial(keyId, second, { ImportType: 'NEW_KEY_MATERIAL', KeyMaterialDescription: 'second', ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(Date.now() + 86_400_000) });
    const secondId = pending.KeyMaterialId;
    assert.match(secondId ?? '', /^[0-9a-f]{64}$/);
    assert.notEqual(secondId, firstId);
    assert.equal(await materialOf((await encrypt(keyId, 'still A')).CiphertextBlob), firstId);
    const staged = await kms.send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }));
    assert.deepEqual(staged.Rotations?.map((r) => [r.KeyMaterialId, r.KeyMaterialState, r.ImportState]), [[firstId, 'CURRENT', 'IMPORTED'], [secondId, 'PENDING_ROTATION', 'IMPORTED']]);
    assert.deepEqual((await kms.send(new ListKeyRotationsCommand({ KeyId: keyId }))).Rotations, [], 'no rotation completed yet');

    const rotated = await kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    assert.match(rotated.KeyId ?? '', /^arn:/);
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.CurrentKeyMaterialId, secondId);
    const b = await encrypt(keyId, 'B');
    assert.equal(await materialOf(b.CiphertextBlob), secondId);
    assert.equal((await decrypt(a.CiphertextBlob)).KeyMaterialId, firstId);
    assert.equal(Buffer.from((await decrypt(a.CiphertextBlob)).Plaintext ?? []).toString(), 'A');
    assert.equal(Buffer.from((await decrypt(b.CiphertextBlob)).Plaintext ?? []).toString(), 'B');
    const e = await expectKmsError(kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId })), 'KMSInvalidStateException');
    assert.match(e.message, /^No available key material pending rotation for the key: arn:/);

    const rotations = (await kms.send(new ListKeyRotationsCommand({ KeyId: keyId }))).Rotations ?? [];
    assert.equal(rotations.length, 1);
    assert.equal(rotations[0]?.KeyMaterialId, secondId);
    assert.equal(rotations[0]?.RotationType, 'ON_DEMAND');
    assert.ok(rotations[0]?.RotationDate instanceof Date);
    const all = (await kms.send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))).Rotations ?? [];
    assert.deepEqual(all.map((r) => [r.KeyMaterialId, r.KeyMaterialState, r.KeyMaterialDescription, r.ExpirationModel]), [
      [firstId, 'NON_CURRENT', 'first', 'KEY_MATERIAL_DOES_NOT_EXPIRE'],
      [secondId, 'CURRENT', 'second', 'KEY_MATERIAL_EXPIRES'],
    ]);
    assert.ok(all[1]?.ValidTo instanceof Date);

    // Deleting the older generation: as AWS documents, deleting any material permanently associated with
    // the key (not pending rotation) makes the key PendingImport, so neither ciphertext decrypts.
    const deleted = await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId, KeyMaterialId: firstId }));
    assert.equal(deleted.KeyMaterialId, firstId);
    assert.equal(await state(keyId), 'PendingImport');
    await expectKmsError(decrypt(a.CiphertextBlob), 'KMSInvalidStateException');
    await expectKmsError(decrypt(b.CiphertextBlob), 'KMSInvalidStateException');
    const listed = (await kms.send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))).Rotations ?? [];
    assert.deepEqual(listed.map((r) => r.ImportState), ['PENDING_IMPORT', 'IMPORTED']);

    // Other material in its place is refused; the same bytes, named by the generation's id, restore it.
    await expectKmsError(importMaterial(keyId, randomBytes(32), { ImportType: 'EXISTING_KEY_MATERIAL', KeyMaterialId: firstId }), 'IncorrectKeyMaterialException');
    await expectKmsError(importMaterial(keyId, second, { ImportType: 'EXISTING_KEY_MATERIAL', KeyMaterialId: firstId }), 'IncorrectKeyMaterialException');
    assert.equal((await importMaterial(keyId, first, { ImportType: 'EXISTING_KEY_MATERIAL', KeyMaterialId: firstId })).KeyMaterialId, firstId);
    assert.equal(await state(keyId), 'Enabled');
    assert.equal(Buffer.from((await decrypt(a.CiphertextBlob)).Plaintext ?? []).toString(), 'A');
    assert.equal(Buffer.from((await decrypt(b.CiphertextBlob)).Plaintext ?? []).toString(), 'B');
    // Imported again, the generation keeps its description.
    const again = (await kms.send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))).Rotations ?? [];
    assert.deepEqual(again.map((r) => [r.ImportState, r.KeyMaterialDescription]), [['IMPORTED', 'first'], ['IMPORTED', 'second']]);
  });

  it('material pending rotation can be deleted without disabling the key, and other material imported in its place', async () => {
    const keyId = await externalKey();
    const firstId = (await importMaterial(keyId, randomBytes(32))).KeyMaterialId;
    const pendingId = (await importMaterial(keyId, randomBytes(32), { ImportType: 'NEW_KEY_MATERIAL' })).KeyMaterialId;
    await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId, KeyMaterialId: pendingId }));
    assert.equal(await state(keyId), 'Enabled', 'material pending rotation is not permanently associated with the key');
    assert.equal(await materialOf((await encrypt(keyId, 'x')).CiphertextBlob), firstId);
    await expectKmsError(kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId })), 'KMSInvalidStateException');
    const replacement = (await importMaterial(keyId, randomBytes(32), { ImportType: 'NEW_KEY_MATERIAL' })).KeyMaterialId;
    assert.notEqual(replacement, pendingId);
    const all = (await kms.send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))).Rotations ?? [];
    assert.deepEqual(all.map((r) => [r.KeyMaterialId, r.KeyMaterialState]), [[firstId, 'CURRENT'], [replacement, 'PENDING_ROTATION']]);
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    assert.equal(await materialOf((await encrypt(keyId, 'y')).CiphertextBlob), replacement);
  });

  it('the scheduler deletes only the generation whose ValidTo passed: expired material pending rotation leaves the key Enabled', async () => {
    const keyId = await externalKey();
    const firstId = (await importMaterial(keyId, randomBytes(32))).KeyMaterialId;
    const pendingId = (await importMaterial(keyId, randomBytes(32), { ImportType: 'NEW_KEY_MATERIAL', ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(Date.now() + 1500) })).KeyMaterialId;
    await new Promise((resolve) => setTimeout(resolve, 1700));
    const run = await server.app.scheduler.runNow();
    assert.ok(run.expired.includes(keyId));
    assert.equal(await state(keyId), 'Enabled');
    const all = (await kms.send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))).Rotations ?? [];
    assert.deepEqual(all.map((r) => [r.KeyMaterialId, r.KeyMaterialState, r.ImportState]), [[firstId, 'CURRENT', 'IMPORTED'], [pendingId, 'PENDING_ROTATION', 'PENDING_IMPORT']]);
    assert.equal(await materialOf((await encrypt(keyId, 'z')).CiphertextBlob), firstId);
    await expectKmsError(kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId })), 'KMSInvalidStateException');
  });

  it('a NON_CURRENT generation past its ValidTo makes the key unusable, and the scheduler sets it PendingImport', async () => {
    const keyId = await externalKey();
    const firstId = (await importMaterial(keyId, randomBytes(32), { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(Date.now() + 1500) })).KeyMaterialId;
    await importMaterial(keyId, randomBytes(32), { ImportType: 'NEW_KEY_MATERIAL' });
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    const b = await encrypt(keyId, 'B');
    await new Promise((resolve) => setTimeout(resolve, 1700));
    const e = await expectKmsError(encrypt(keyId, 'C'), 'KMSInvalidStateException');
    assert.match(e.message, /is pending import: its imported key material expired at /);
    await expectKmsError(decrypt(b.CiphertextBlob), 'KMSInvalidStateException');
    assert.ok((await server.app.scheduler.runNow()).expired.includes(keyId));
    assert.equal(await state(keyId), 'PendingImport');
    const all = (await kms.send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))).Rotations ?? [];
    assert.deepEqual(all.map((r) => [r.KeyMaterialId === firstId, r.KeyMaterialState, r.ImportState]), [[true, 'NON_CURRENT', 'PENDING_IMPORT'], [false, 'CURRENT', 'IMPORTED']]);
  });
});
