import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import { servicePrincipalOf } from '../../core/service-principal.js';
import { defineOperation } from '../pipeline/operation.js';
import { grantIdParam, parseGrantToken } from './grants.js';
import { dryRun, keyIdParam, sensitive, str } from '../pipeline/schemas.js';

/**
 * RetireGrant, by GrantToken or by KeyId and GrantId. As in AWS, the grant decides who may retire it: its
 * retiring principal, and its grantee when the grant includes RetireGrant; and, as AWS allows, the key's
 * account, that is a caller of the key's account whose policies (key policy and identity policies, not
 * grants) allow kms:RetireGrant on the key. (The authorizer lets the grant's principals through to this
 * check; everyone else is refused here.)
 */
export const retireGrant = defineOperation({
  service: 'TrentService',
  name: 'RetireGrant',
  description: 'Deletes a grant, as its retiring principal or a principal it allows to retire it.',
  effect: 'write',
  uses: ['grants', 'policyChecks', 'realm'] as const,
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
    // A service principal is named by its name (ADR 0021); SourceArn does not apply to RetireGrant (AWS).
    const service = servicePrincipalOf(caller);
    const isRetiring =
      (grant.retiringPrincipal === caller.arn && grant.retiringPrincipalId === caller.id) || (service !== undefined && grant.retiringServicePrincipal === service);
    const isGrantee = grant.granteeServicePrincipal !== undefined ? grant.granteeServicePrincipal === service : grant.granteePrincipal === caller.arn && grant.granteePrincipalId === caller.id;
    if (isRetiring || (isGrantee && grant.operations.includes('RetireGrant'))) return;
    // Another grant naming the caller (with RetireGrant) must not let it retire this one: grants are left out.
    const byAccount =
      caller.account === deps.realm.account &&
      (await deps.policyChecks.allowedByPolicies({ principal: caller, action: 'kms:RetireGrant', resource: key.arn, resourceAccount: deps.realm.account, context: {}, key: key.record, request: ctx.request }));
    if (!byAccount) {
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
