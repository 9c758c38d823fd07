import { parsePrivateKey } from '../../../crypto/asymmetric-keys.js';
import type { ImportWrapping } from '../../../crypto/import-unwrap.js';
import type { SecretBytes } from '../../../crypto/secret-bytes.js';
import { KmsError } from '../../../core/errors.js';
import { KEY_CAPABILITIES } from '../../../core/key-capabilities.js';
import type { WrappingAlgorithm } from '../../../core/key-import.js';
import type { KeyRecord, KeySpec } from '../../../core/key.js';
import type { ServiceDeps } from '../../pipeline/deps.js';
import type { ResolvedKey } from '../../pipeline/operation.js';

/** Shared pieces of the BYOK operations. */

/** How each wrapping algorithm wraps; `undefined` for the ones Arca refuses (PKCS#1 v1.5 is deprecated by AWS, SM2 not built). */
export const WRAPPING: Record<WrappingAlgorithm, ImportWrapping | undefined> = {
  RSAES_OAEP_SHA_1: { kind: 'oaep', hash: 'sha1' },
  RSAES_OAEP_SHA_256: { kind: 'oaep', hash: 'sha256' },
  RSA_AES_KEY_WRAP_SHA_1: { kind: 'rsa-aes-key-wrap', hash: 'sha1' },
  RSA_AES_KEY_WRAP_SHA_256: { kind: 'rsa-aes-key-wrap', hash: 'sha256' },
  RSAES_PKCS1_V1_5: undefined,
  SM2PKE: undefined,
};

export function requireExternal(key: ResolvedKey): void {
  if (key.record.origin !== 'EXTERNAL') throw new KmsError('UnsupportedOperation', `${key.arn} has origin ${key.record.origin}: only EXTERNAL keys take imported key material.`);
}

/** Byte lengths AWS accepts for imported HMAC key material. */
const HMAC_LENGTHS: Partial<Record<KeySpec, readonly [number, number]>> = {
  HMAC_224: [28, 64],
  HMAC_256: [32, 64],
  HMAC_384: [48, 128],
  HMAC_512: [64, 128],
};

/** Whether unwrapped material fits the key's spec: 32 bytes, an HMAC length, or a PKCS#8 key of the spec. */
export function materialFitsSpec(spec: KeySpec, material: SecretBytes): boolean {
  if (spec === 'SYMMETRIC_DEFAULT') return material.length === 32;
  const hmac = HMAC_LENGTHS[spec];
  if (hmac !== undefined) return material.length >= hmac[0] && material.length <= hmac[1];
  const pair = KEY_CAPABILITIES[spec].keyPair;
  return pair !== undefined && parsePrivateKey(material, pair) !== undefined;
}

/** The KeyMetadata members AWS adds for an EXTERNAL key with imported material: ExpirationModel and ValidTo. */
export async function importMetadata(deps: Pick<ServiceDeps, 'imports'>, key: KeyRecord): Promise<{ ExpirationModel?: string; ValidTo?: Date }> {
  if (key.origin !== 'EXTERNAL' || key.state === 'PendingImport') return {};
  const imported = await deps.imports.getImport(key.id);
  if (imported === undefined) return {};
  return { ExpirationModel: imported.expirationModel, ...(imported.validTo ? { ValidTo: imported.validTo } : {}) };
}
