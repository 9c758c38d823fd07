import { generateKeyPair, privateKeyOf, publicKeyOf, type AsymmetricKey } from '../crypto/asymmetric-keys.js';
import { randomSecret } from '../crypto/random.js';
import type { SecretBytes } from '../crypto/secret-bytes.js';
import { KEY_CAPABILITIES, keyPairOf } from '../core/key-capabilities.js';
import { KEY_SPEC_INFO, type KeyRecord, type KeySpec } from '../core/key.js';
import { primaryMaterial, type MaterialDeps } from './material.js';

/**
 * Material of the non-symmetric key specs. Asymmetric keys store their private key as PKCS#8 DER, HMAC
 * keys their random key bytes; both are wrapped per key version exactly like symmetric material, and the
 * public key is derived from the private key when asked for, so nothing else is stored.
 */

/** Fresh material for a new key version of `spec`: a generated key pair's PKCS#8 DER, or random bytes. */
export async function newKeyMaterial(spec: KeySpec): Promise<SecretBytes> {
  const pair = KEY_CAPABILITIES[spec].keyPair;
  if (pair === undefined) return randomSecret(KEY_SPEC_INFO[spec].materialLength);
  return (await generateKeyPair(pair)).privateKey;
}

/** The parsed private key of an asymmetric key's primary version. */
export async function privateKeyFor(deps: MaterialDeps, key: KeyRecord): Promise<AsymmetricKey> {
  keyPairOf(key);
  return privateKeyOf(await primaryMaterial(deps, key));
}

/** The public key of an asymmetric key's primary version. */
export async function publicKeyFor(deps: MaterialDeps, key: KeyRecord): Promise<AsymmetricKey> {
  keyPairOf(key);
  return publicKeyOf(await primaryMaterial(deps, key));
}
