import type { SecretBytes } from '../crypto/secret-bytes.js';
import { KmsError } from '../core/errors.js';
import type { KeyRecord } from '../core/key.js';
import type { KeyImportStore } from '../core/key-import.js';
import type { Clock, KeyStore } from '../core/ports.js';
import type { KeyHierarchy } from './key-hierarchy.js';

/** A key version's unwrapped material (cached; do not dispose), or `undefined` if the version does not exist. */
export async function versionMaterial(deps: Pick<MaterialDeps, 'keys' | 'hierarchy'>, keyId: string, version: number): Promise<SecretBytes | undefined> {
  return deps.hierarchy.material(keyId, version, async () => {
    const stored = await deps.keys.getKeyVersion(keyId, version);
    return stored && { domainKeyVersion: stored.domainKeyVersion, wrapped: stored.wrappedMaterial };
  });
}

/** What loading a key's material needs: the stores, the hierarchy, and the clock for imported material's ValidTo. */
export interface MaterialDeps {
  readonly keys: Pick<KeyStore, 'getKeyVersion'>;
  readonly hierarchy: KeyHierarchy;
  readonly imports: Pick<KeyImportStore, 'listImports'>;
  readonly clock: Clock;
}

/**
 * Refuses a key with imported (EXTERNAL) material past its ValidTo, as AWS does once it deletes expired
 * material (until a scheduler deletes it here, the check happens on every use): any generation up to the
 * primary version (CURRENT or NON_CURRENT, permanently associated with the key) counts; one pending
 * rotation does not.
 */
export async function requireMaterialInForce(deps: Pick<MaterialDeps, 'imports' | 'clock'>, key: KeyRecord, arn: string): Promise<void> {
  if (key.origin !== 'EXTERNAL') return;
  const now = deps.clock.now().getTime();
  const expired = (await deps.imports.listImports(key.id)).find((g) => g.version <= key.primaryVersion && g.imported && g.validTo !== undefined && now >= g.validTo.getTime());
  if (expired?.validTo !== undefined) {
    throw new KmsError('InvalidKeyState', `${arn} is pending import: its imported key material expired at ${expired.validTo.toISOString()}.`);
  }
}

/** The primary version's material of a key the pipeline resolved. */
export async function primaryMaterial(deps: MaterialDeps, key: KeyRecord): Promise<SecretBytes> {
  await requireMaterialInForce(deps, key, key.id);
  const material = await versionMaterial(deps, key.id, key.primaryVersion);
  if (material === undefined) throw new KmsError('Internal', `key ${key.id} has no material for its primary version`);
  return material;
}

