import assert from 'node:assert/strict';
import { constants, createPublicKey, publicEncrypt } from 'node:crypto';
import { CreateKeyCommand, GetParametersForImportCommand, ImportKeyMaterialCommand, type ImportKeyMaterialCommandInput, type KMSClient } from '@aws-sdk/client-kms';

/** A new key with `Origin: EXTERNAL` (PendingImport); its id. */
export async function externalKey(kms: KMSClient): Promise<string> {
  return (await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata?.KeyId ?? assert.fail('no key id');
}

/** ImportKeyMaterial of `material` through the SDK, wrapped with RSAES_OAEP_SHA_256 under fresh import parameters. */
export async function importMaterial(kms: KMSClient, KeyId: string, material: Buffer, extra: Partial<ImportKeyMaterialCommandInput> = {}) {
  const p = await kms.send(new GetParametersForImportCommand({ KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
  const publicKey = createPublicKey({ key: Buffer.from(p.PublicKey ?? []), format: 'der', type: 'spki' });
  const EncryptedKeyMaterial = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, material);
  return kms.send(new ImportKeyMaterialCommand({ KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', ...extra }));
}
