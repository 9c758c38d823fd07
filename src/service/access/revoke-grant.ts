import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import { defineOperation } from '../pipeline/operation.js';
import { grantIdParam } from './grants.js';
import { dryRun, keyIdParam } from '../pipeline/schemas.js';

/**
 * Revokes a grant (a key administrator's action, kms:RevokeGrant): it, and every grant created under its
 * authority, authorizes nothing from the next request.
 */
export const revokeGrant = defineOperation({
  service: 'TrentService',
  name: 'RevokeGrant',
  description: 'Deletes a grant from a KMS key, revoking the permissions it gave.',
  effect: 'write',
  uses: ['grants'] as const,
  input: z.object({ KeyId: keyIdParam, GrantId: grantIdParam.describe('The ID of the grant to revoke.'), DryRun: dryRun }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'read', allowAlias: false } },
  dryRun: (i) => i.DryRun === true,
  async check(input, ctx, deps) {
    const grant = await deps.grants.getGrant(input.GrantId);
    if (grant === undefined || grant.keyId !== ctx.keys.key.record.id) throw new KmsError('KeyNotFound', `Grant ID ${input.GrantId} not found`);
  },
  // `check` found the grant on this key, in the same transaction.
  async execute(input, _ctx, deps) {
    await deps.grants.deleteGrant(input.GrantId);
    return {};
  },
  auditRequest: (i) => ({ keyId: i.KeyId, grantId: i.GrantId }),
});
