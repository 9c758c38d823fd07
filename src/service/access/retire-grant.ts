import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import { defineOperation } from '../pipeline/operation.js';
import { grantIdParam, parseGrantToken } from './grants.js';
import { dryRun, keyIdParam, sensitive, str } from '../pipeline/schemas.js';

/**
 * RetireGrant, by GrantToken or by KeyId and GrantId. As in AWS it is not a policy permission: the
 * grant's retiring principal may retire it, and so may its grantee when the grant includes RetireGrant.
 * (The authorizer lets those principals through to this check; everyone else is refused here.)
 */
export const retireGrant = defineOperation({
  service: 'TrentService',
  name: 'RetireGrant',
  description: 'Deletes a grant, as its retiring principal or a principal it allows to retire it.',
  effect: 'write',
  uses: ['grants'] as const,
  input: z
    .object({ GrantToken: sensitive(str(1, 8192)).optional().describe('The grant token of the grant to retire (or give KeyId and GrantId instead).'), KeyId: keyIdParam.optional().describe('The key ARN of the KMS key of the grant, with GrantId, instead of GrantToken.'), GrantId: grantIdParam.optional().describe('The ID of the grant to retire, with KeyId, instead of GrantToken.'), DryRun: dryRun })
    .transform((i, ctx) => {
      if (i.GrantToken !== undefined) return { ...i, ...parseGrantToken(i.GrantToken) };
      if (i.KeyId === undefined || i.GrantId === undefined) {
        ctx.addIssue({ code: 'custom', message: 'Member must be set: either GrantToken, or KeyId and GrantId', path: ['grantToken'] });
        return z.NEVER;
      }
      return { ...i, keyId: i.KeyId, grantId: i.GrantId };
    }),
  keys: { key: { required: true, ref: (i) => i.keyId, access: 'read', allowAlias: false } },
  dryRun: (i) => i.DryRun === true,
  async check(input, ctx, deps) {
    const key = ctx.keys.key;
    const grant = await deps.grants.getGrant(input.grantId);
    if (grant === undefined || grant.keyId !== key.record.id) throw new KmsError('KeyNotFound', `Grant ID ${input.grantId} not found`);
    // The principals the grant names are the ones that held those ARNs when it was stored (ADR 0009).
    const caller = ctx.principal;
    const isRetiring = grant.retiringPrincipal === caller.arn && grant.retiringPrincipalId === caller.id;
    const isGrantee = grant.granteePrincipal === caller.arn && grant.granteePrincipalId === caller.id;
    if (!isRetiring && !(isGrantee && grant.operations.includes('RetireGrant'))) {
      throw new KmsError('AccessDenied', `User: ${caller.arn} is not authorized to perform: kms:RetireGrant on resource: ${key.arn} because no policy allows the kms:RetireGrant action`);
    }
  },
  // `check` found the grant on this key and the caller allowed to retire it, in the same transaction.
  async execute(input, _ctx, deps) {
    await deps.grants.deleteGrant(input.grantId); // and the grants created under it
    return {};
  },
  auditRequest: (i) => ({ keyId: i.keyId, grantId: i.grantId }),
});
