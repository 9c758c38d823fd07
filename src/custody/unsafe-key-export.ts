import { SecretBytes } from '../crypto/secret-bytes.js';
import type { KeyHandle } from '../core/custody.js';
import { isCustomKeyStoreOrigin } from '../core/custom-key-stores.js';
import { KmsError } from '../core/errors.js';
import { KEY_CAPABILITIES } from '../core/key-capabilities.js';
import { primaryMaterial, type MaterialDeps } from './material.js';

/**
 * UNSAFE: hands a key's plaintext material out of custody (ArcaService.ExportKeyMaterial, KMIP Get; ADR
 * 0027). The one place that does; the operation that calls it refuses keys not created exportable, and its
 * every call is an audited event. The answer is a copy the caller owns (the cached material stays cached).
 */
export async function unsafeExportMaterial(deps: MaterialDeps, key: KeyHandle): Promise<SecretBytes> {
  // An HSM key's material never leaves the HSM; an external key store key's outer layer is in the proxy.
  if (isCustomKeyStoreOrigin(key.record.origin)) throw new KmsError('UnsupportedOperation', `${key.arn} is in a custom key store: its key material cannot be exported.`);
  if (KEY_CAPABILITIES[key.record.keySpec].keyPair !== undefined) throw new KmsError('UnsupportedOperation', `${key.arn} has key spec ${key.record.keySpec}: only symmetric encryption and HMAC key material can be exported.`);
  const material = await primaryMaterial(deps, key.record);
  return SecretBytes.copyOf(material.expose());
}
