import { z } from 'zod';
import { encodeFields } from '../../../crypto/encoding.js';
import { keyArn, parseKeyRef } from '../../../core/arn.js';
import { KmsError, sealed } from '../../../core/errors.js';
import type { DestructionRecord } from '../../../core/lifecycle.js';
import { defineOperation } from '../../pipeline/operation.js';
import { keyIdParam } from '../../pipeline/schemas.js';

/**
 * The bytes a destruction receipt signs: `encodeFields(['arca.destruction-receipt.v1', key ARN,
 * versions joined by ',', destruction time (ISO 8601)])` — length-prefixed fields (docs/key-lifecycle.md).
 */
export function receiptMessage(arn: string, record: DestructionRecord): Buffer {
  return encodeFields(['arca.destruction-receipt.v1', arn, record.versions.join(','), record.destroyedAt.toISOString()]);
}

/**
 * Arca extension: the receipt of a key's crypto-shredding (key ARN, destroyed versions, time), signed
 * with Ed25519 by the audit trail's signing key (the key `arca audit verify` checks tree heads with), so
 * an auditor can prove the destruction to a third party. The key is named by id or key ARN: a destroyed
 * key has no aliases left.
 */
export const getDestructionReceipt = defineOperation({
  service: 'ArcaService',
  name: 'GetDestructionReceipt',
  description: 'Returns the signed receipt proving that the material of a deleted KMS key was destroyed.',
  effect: 'read',
  uses: ['keys', 'realm', 'lifecycle', 'auditTrail'] as const,
  input: z.object({ KeyId: keyIdParam }),
  // No key requirement: a destroyed key no longer resolves. Authorized on '*' by the pipeline.
  keys: {},
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
    const message = receiptMessage(arn, record);
    const signature = deps.auditTrail.signStatement(message);
    if (signature === undefined) throw sealed();
    return {
      KeyArn: arn,
      DestroyedVersions: [...record.versions],
      DestroyedAt: record.destroyedAt,
      SigningAlgorithm: 'ED25519' as const,
      ReceiptMessage: message,
      Signature: signature,
      PublicKey: deps.auditTrail.publicKey(),
    };
  },
  auditRequest: (i) => ({ keyId: i.KeyId }),
});
