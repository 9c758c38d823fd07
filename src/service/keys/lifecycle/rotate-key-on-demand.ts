import { z } from 'zod';
import { KmsError } from '../../../core/errors.js';
import { MAX_ON_DEMAND_ROTATIONS } from '../../../core/lifecycle.js';
import { requireRotatable, rotateKey } from './lifecycle.js';
import { defineOperation } from '../../pipeline/operation.js';
import { keyIdParam } from '../../pipeline/schemas.js';

/**
 * Makes a new primary version now, within the request, whatever the automatic schedule (which it does
 * not move). AWS's limit applies: {@link MAX_ON_DEMAND_ROTATIONS} on-demand rotations per key.
 */
export const rotateKeyOnDemand = defineOperation({
  service: 'TrentService',
  name: 'RotateKeyOnDemand',
  description: 'Rotates the key material of a KMS key now, whatever its automatic rotation schedule.',
  effect: 'write',
  uses: ['provisioner', 'clock', 'lifecycle', 'keys'] as const,
  input: z.object({ KeyId: keyIdParam }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'manage', allowAlias: false } },
  async execute(_input, ctx, deps) {
    const key = ctx.keys.key;
    // AWS answers RotateKeyOnDemand on an asymmetric or HMAC key with a bare UnsupportedOperationException.
    if (key.record.keySpec !== 'SYMMETRIC_DEFAULT') throw new KmsError('UnsupportedOperation', `${key.arn} key spec ${key.record.keySpec} is not valid for RotateKeyOnDemand.`, { codeOnly: true });
    // Imported material rotates to material imported beforehand with ImportType NEW_KEY_MATERIAL (PENDING_ROTATION);
    // Arca keeps one generation of imported material so far, so there never is any (AWS's answer when none).
    if (key.record.origin === 'EXTERNAL') throw new KmsError('InvalidKeyState', `No available key material pending rotation for the key: ${key.arn}.`);
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
