import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import { keyMaterialId } from '../../core/key-material-id.js';
import { defineOperation } from '../pipeline/operation.js';
import { keyIdParam } from '../pipeline/schemas.js';
import { managedFacts } from './managed-facts.js';

/**
 * KMIP Get of a symmetric or HMAC key (ADR 0027): the primary version's plaintext material of a key made
 * exportable at creation (`arca:Exportable=true`). Enabled and Disabled keys (KMIP Active, Deactivated,
 * Compromised: old data must stay decryptable) are served; the key state table refuses the others. The
 * material is a SecretBytes the transport encodes and the pipeline zeroes; the audit event names the key
 * and the KeyMaterialId, never the material. Not governable by approvals: its answer carries the secret.
 */
export const exportKeyMaterial = defineOperation({
  service: 'ArcaService',
  name: 'ExportKeyMaterial',
  description: 'Returns the plaintext key material of a key created or registered as exportable (arca:Exportable), for KMIP Get.',
  effect: 'use',
  uses: ['keys', 'primitives'] as const,
  input: z.object({ KeyId: keyIdParam }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'use', allowAlias: true } },
  async check(_input, ctx, deps) {
    const key = ctx.keys.key;
    const { exportable } = await managedFacts(deps, key.record);
    if (!exportable) throw new KmsError('UnsupportedOperation', `Key ${key.arn} is not exportable: only keys created or registered as exportable (arca:Exportable) can be exported`);
  },
  async execute(_input, ctx, deps) {
    const key = ctx.keys.key;
    const material = await deps.primitives.unsafeExportMaterial(key);
    return { KeyId: key.arn, KeySpec: key.record.keySpec, KeyMaterialId: keyMaterialId(key.record.id, key.record.primaryVersion), Material: material };
  },
  auditRequest: (i) => ({ keyId: i.KeyId }),
  auditResponse: (o) => ({ keyId: o.KeyId, keyMaterialId: o.KeyMaterialId }),
});
