import { z } from 'zod';
import { KmsError } from '../../../core/errors.js';
import { MAX_ON_DEMAND_ROTATIONS } from '../../../core/lifecycle.js';
import { requireRotatable, rotateKey } from './lifecycle.js';
import type { ServiceDeps } from '../../pipeline/deps.js';
import { defineOperation, type ResolvedKey } from '../../pipeline/operation.js';
import { keyIdParam } from '../../pipeline/schemas.js';

/**
 * Makes a new primary version now, within the request, whatever the automatic schedule (which it does
 * not move). AWS's limit applies: {@link MAX_ON_DEMAND_ROTATIONS} on-demand rotations per key. A key with
 * imported material (EXTERNAL) rotates to the generation imported beforehand with ImportType
 * NEW_KEY_MATERIAL (PENDING_ROTATION), which becomes CURRENT; the previous one stays, for decryption.
 */
export const rotateKeyOnDemand = defineOperation({
  service: 'TrentService',
  name: 'RotateKeyOnDemand',
  description: 'Rotates the key material of a KMS key now, whatever its automatic rotation schedule.',
  effect: 'write',
  uses: ['provisioner', 'clock', 'lifecycle', 'imports', 'hierarchy', 'keys'] as const,
  input: z.object({ KeyId: keyIdParam }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'manage', allowAlias: false } },
  async execute(_input, ctx, deps) {
    const key = ctx.keys.key;
    // AWS answers RotateKeyOnDemand on an asymmetric or HMAC key with a bare UnsupportedOperationException.
    if (key.record.keySpec !== 'SYMMETRIC_DEFAULT') throw new KmsError('UnsupportedOperation', `${key.arn} key spec ${key.record.keySpec} is not valid for RotateKeyOnDemand.`, { codeOnly: true });
    if (key.record.origin === 'EXTERNAL') return rotateToImported(deps, key);
    requireRotatable(key.record, key.arn);
    const versions = await deps.lifecycle.store.listVersions(key.record.id);
    if (versions.filter((v) => v.rotationType === 'ON_DEMAND').length >= MAX_ON_DEMAND_ROTATIONS) {
      throw new KmsError('LimitExceeded', `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${key.arn}`);
    }
    const version = await rotateKey(deps, key.record, 'ON_DEMAND');
    if (version === undefined) throw new KmsError('Conflict', `${key.arn} is already being rotated. Try again.`);
    // AWS answers the key ARN, whatever form of KeyId the request used.
    return { KeyId: key.arn };
  },
  auditRequest: (i) => ({ keyId: i.KeyId }),
});

/**
 * Imported material: the generation pending rotation, once its material is stored, becomes the primary
 * version (AWS's KMSInvalidStateException when there is none, or while the key is PendingImport).
 */
async function rotateToImported(deps: Pick<ServiceDeps, 'clock' | 'imports' | 'hierarchy'>, key: ResolvedKey): Promise<{ KeyId: string }> {
  const generations = await deps.imports.listImports(key.record.id);
  const pending = generations.find((g) => g.version > key.record.primaryVersion && g.imported);
  if (pending === undefined) throw new KmsError('InvalidKeyState', `No available key material pending rotation for the key: ${key.arn}.`);
  if (key.record.state === 'PendingImport') throw new KmsError('InvalidKeyState', `${key.arn} is pending import.`);
  if (generations.filter((g) => g.rotatedAt !== undefined).length >= MAX_ON_DEMAND_ROTATIONS) {
    throw new KmsError('LimitExceeded', `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${key.arn}`);
  }
  const rotated = await deps.imports.rotateToImported(key.record.id, pending.version, key.record.primaryVersion, deps.clock.now());
  if (!rotated) throw new KmsError('Conflict', `${key.arn} is already being rotated. Try again.`);
  deps.hierarchy.forgetKey(key.record.id);
  return { KeyId: key.arn };
}
