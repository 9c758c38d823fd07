import { z } from 'zod';
import { keyArn, parseKeyRef } from '../core/arn.js';
import { KmsError } from '../core/errors.js';
import { defineOperation } from './operation.js';
import { keyIdParam } from './schemas.js';

/**
 * Arca extension: the receipt of a key's crypto-shredding (key ARN, destroyed versions, time), signed by
 * the audit signing key. The destruction record is kept from the moment of destruction; the signature
 * needs the audit trail's signing key, which this build does not have yet, so a destroyed key answers
 * UnsupportedOperationException saying so (with the stored facts), and any other key says why there is
 * no receipt. The key is named by id or key ARN: a destroyed key has no aliases left.
 */
export const getDestructionReceipt = defineOperation({
  service: 'ArcaService',
  name: 'GetDestructionReceipt',
  action: 'arca:GetDestructionReceipt',
  readOnly: true,
  input: z.object({ KeyId: keyIdParam }),
  // No key requirement: a destroyed key no longer resolves. Authorized on '*' by the pipeline.
  keys: [],
  async execute(input, _ctx, deps) {
    const ref = parseKeyRef(deps.realm, input.KeyId, { allowAlias: false });
    if (ref.kind !== 'key') throw new KmsError('ValidationFailed', 'KeyId must be a key id or key ARN.');
    const arn = keyArn(deps.realm, ref.keyId);
    const record = await deps.lifecycle.store.getDestruction(ref.keyId);
    if (record === undefined) {
      const live = await deps.keys.getKey(ref.keyId);
      if (live === undefined) throw new KmsError('KeyNotFound', `Key '${arn}' does not exist`);
      throw new KmsError('InvalidKeyState', `${arn} has not been destroyed.`);
    }
    throw new KmsError(
      'UnsupportedOperation',
      `Destruction receipts are not yet available: they are signed by the audit signing key, which this version of Arca does not have. ` +
        `The destruction is recorded: ${arn}, versions ${record.versions.join(', ')}, destroyed at ${record.destroyedAt.toISOString()}.`,
    );
  },
  auditRequest: (i) => ({ keyId: i.KeyId }),
});
