import { KmsError } from '../core/errors.js';
import type { KeyRecord } from '../core/key.js';
import type { SecretBytes } from '../crypto/secret-bytes.js';
import type { ServiceDeps } from './operation.js';

/** A key version's unwrapped material (cached; do not dispose), or `undefined` if the version does not exist. */
export async function versionMaterial(deps: Pick<ServiceDeps, 'keys' | 'hierarchy'>, keyId: string, version: number): Promise<SecretBytes | undefined> {
  return deps.hierarchy.material(keyId, version, async () => {
    const stored = await deps.keys.getKeyVersion(keyId, version);
    return stored && { domainKeyVersion: stored.domainKeyVersion, wrapped: stored.wrappedMaterial };
  });
}

/** The primary version's material of a key the pipeline resolved. */
export async function primaryMaterial(deps: Pick<ServiceDeps, 'keys' | 'hierarchy'>, key: KeyRecord): Promise<SecretBytes> {
  const material = await versionMaterial(deps, key.id, key.primaryVersion);
  if (material === undefined) throw new KmsError('Internal', `key ${key.id} has no material for its primary version`);
  return material;
}

/** Arca keeps every symmetric key in ENCRYPT_DECRYPT usage; anything else cannot encrypt. */
export function requireUsage(key: KeyRecord, arn: string, usage: KeyRecord['keyUsage'], operation: string): void {
  if (key.keyUsage !== usage) {
    throw new KmsError('InvalidKeyUsage', `${arn} key usage is ${key.keyUsage} which is not valid for ${operation}.`);
  }
}

/** The key a requirement resolved; the pipeline guarantees it for every non-optional requirement. */
export function requiredKey<T>(keys: readonly (T | undefined)[], index: number): T {
  const key = keys[index];
  if (key === undefined) throw new KmsError('Internal', 'a required key was not resolved');
  return key;
}
