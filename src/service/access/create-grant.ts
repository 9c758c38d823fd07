import { z } from 'zod';
import { randomPublicBytes } from '../../crypto/random.js';
import { KmsError } from '../../core/errors.js';
import { childExpiry, CONSTRAINABLE_OPERATIONS, delegatingParent, liveGrants, sameConstraints, type GrantRecord } from '../../core/grant.js';
import type { ServiceDeps } from '../pipeline/deps.js';
import { defineOperation, type OperationContext, type ResolvedKey } from '../pipeline/operation.js';
import { grantNamesCaller, grantOperations, grantPrincipalRules, grantToken, principalArnParam, servicePrincipalParam, sourceArnParam } from './grants.js';
import { resolvePrincipalArn } from '../identity/principals.js';
import { dryRun, grantTokens, keyIdParam, str } from '../pipeline/schemas.js';
import { conditionContext, listCondition, scalarCondition, type ConditionDeclaration } from '../pipeline/condition-keys.js';

const contextMap = z.record(z.string(), z.string()).optional();

/** Seconds since the epoch (AWS JSON timestamps) or an ISO 8601 string. */
const instant = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const t = typeof v === 'number' ? v * 1000 : Date.parse(v);
  if (!Number.isFinite(t)) {
    ctx.addIssue({ code: 'custom', message: 'Member must be a timestamp' });
    return z.NEVER;
  }
  return new Date(t);
});

const createGrantInput = z
  .object({
    KeyId: keyIdParam,
    GranteePrincipal: principalArnParam.optional().describe('The principal (an ARN) the grant gives permission to perform its operations (or GranteeServicePrincipal).'),
    RetiringPrincipal: principalArnParam.optional().describe('The principal (an ARN) allowed to retire the grant.'),
    Operations: grantOperations.describe('The operations the grant allows.'),
    Constraints: z
      .object({ EncryptionContextSubset: contextMap, EncryptionContextEquals: contextMap, SourceArn: sourceArnParam.optional() })
      .optional()
      .describe('What the requests must carry for the grant to apply: an encryption context (EncryptionContextSubset or EncryptionContextEquals), the resource a service principal acts for (SourceArn).'),
    GrantTokens: grantTokens,
    Name: str(1, 256).regex(/^[a-zA-Z0-9:/_-]+$/, 'Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$').optional().describe('A friendly name for the grant; repeating a request with the same name and parameters returns the same grant.'),
    DryRun: dryRun,
    GranteeServicePrincipal: servicePrincipalParam.optional().describe('The service principal (logs.amazonaws.com) the grant gives permission to, instead of GranteePrincipal; requires a SourceArn constraint and a retiring principal.'),
    RetiringServicePrincipal: servicePrincipalParam.optional().describe('The service principal allowed to retire the grant, instead of RetiringPrincipal.'),
    ExpiresAt: instant.optional().describe('Arca extension: the instant from which the grant authorizes nothing (just-in-time access).'),
  })
  .superRefine(grantPrincipalRules);

type CreateGrantInput = z.infer<typeof createGrantInput>;

/** CreateGrant's condition keys: authorization reads them, and so does the check of who may delegate. */
const createGrantConditions: readonly ConditionDeclaration<CreateGrantInput>[] = [
  scalarCondition('kms:GranteePrincipal', (i) => i.GranteePrincipal),
  scalarCondition('kms:RetiringPrincipal', (i) => i.RetiringPrincipal),
  scalarCondition('kms:GranteeServicePrincipal', (i) => i.GranteeServicePrincipal),
  scalarCondition('kms:RetiringServicePrincipal', (i) => i.RetiringServicePrincipal),
  scalarCondition('kms:GrantConstraintSourceArn', (i) => i.Constraints?.SourceArn),
  listCondition('kms:GrantOperations', (i) => i.Operations),
];

/**
 * CreateGrant, with Arca's `ExpiresAt` extension (just-in-time access): from that instant on the grant
 * authorizes nothing. A grant takes effect as soon as this call returns.
 *
 * A caller allowed CreateGrant only by a grant creates the new grant under that grant's authority
 * (DESIGN §7.8): no more operations, the same constraint, an expiry no later than the parent's (a child
 * requested without `ExpiresAt` inherits it), and the child dies with its parent (retired, revoked or
 * expired). When a policy allows the call, the new grant has no parent, even if a grant allows it too.
 */
export const createGrant = defineOperation({
  service: 'TrentService',
  name: 'CreateGrant',
  description: 'Adds a grant to a KMS key, allowing a principal to use the key in the operations the grant lists.',
  effect: 'write',
  uses: ['clock', 'realm', 'principals', 'grants', 'policyChecks'] as const,
  input: createGrantInput,
  conditions: () => createGrantConditions,
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'use', allowAlias: false } },
  authorizationContext: () => ({ 'kms:GrantIsForAWSResource': 'false' }),
  dryRun: (i) => i.DryRun === true,
  async check(input, ctx, deps) {
    await authority(input, ctx, ctx.keys.key, deps, deps.clock.now());
  },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key;
    const now = deps.clock.now();
    const { existing, parent, operations, constraints } = await authority(input, ctx, key, deps, now);
    const expiresAt = childExpiry(parent, input.ExpiresAt);
    // The schema admits exactly one of the two grantees; a service principal is named, not resolved (ADR 0021).
    const granteePrincipal = input.GranteePrincipal ?? input.GranteeServicePrincipal ?? '';
    const granteePrincipalId = input.GranteePrincipal === undefined ? undefined : ((await resolvePrincipalArn(deps, input.GranteePrincipal)) ?? undefined);
    const retiringPrincipalId = input.RetiringPrincipal === undefined ? undefined : ((await resolvePrincipalArn(deps, input.RetiringPrincipal)) ?? undefined);
    // AWS: a CreateGrant repeating a named grant's parameters returns that grant instead of a new one;
    // any difference (here also the expiry, the principals' ids and the parent authority) makes a new grant.
    if (input.Name !== undefined) {
      const same = existing.find(
        (g) =>
          g.name === input.Name &&
          g.granteePrincipal === granteePrincipal &&
          g.granteePrincipalId === granteePrincipalId &&
          g.granteeServicePrincipal === input.GranteeServicePrincipal &&
          g.retiringPrincipal === input.RetiringPrincipal &&
          g.retiringPrincipalId === retiringPrincipalId &&
          g.retiringServicePrincipal === input.RetiringServicePrincipal &&
          JSON.stringify([...g.operations].sort()) === JSON.stringify([...operations].sort()) &&
          sameConstraints(g.constraints, constraints) &&
          g.expiresAt?.getTime() === expiresAt?.getTime() &&
          g.parentGrantId === parent?.grantId,
      );
      if (same !== undefined) {
        return { GrantToken: grantToken(key.record.id, same.grantId), GrantId: same.grantId };
      }
    }
    const grant: GrantRecord = {
      grantId: randomPublicBytes(32).toString('hex'),
      keyId: key.record.id,
      name: input.Name,
      granteePrincipal,
      granteePrincipalId,
      granteeServicePrincipal: input.GranteeServicePrincipal,
      retiringPrincipal: input.RetiringPrincipal,
      retiringPrincipalId,
      retiringServicePrincipal: input.RetiringServicePrincipal,
      issuingPrincipal: ctx.principal.arn,
      operations,
      constraints,
      createdAt: now,
      expiresAt,
      parentGrantId: parent?.grantId,
    };
    await deps.grants.createGrant(grant);
    return { GrantToken: grantToken(key.record.id, grant.grantId), GrantId: grant.grantId };
  },
  auditRequest: (i) => ({
    keyId: i.KeyId,
    granteePrincipal: i.GranteePrincipal,
    granteeServicePrincipal: i.GranteeServicePrincipal,
    retiringPrincipal: i.RetiringPrincipal,
    retiringServicePrincipal: i.RetiringServicePrincipal,
    operations: i.Operations,
    constraints: i.Constraints,
    name: i.Name,
    expiresAt: i.ExpiresAt?.toISOString(),
  }),
  auditResponse: (o) => ({ grantId: o.GrantId }),
});

/**
 * Validates the grant requested and finds the authority it is created under (`parent`: undefined when a
 * policy allows the call, the delegating grant otherwise); a caller with neither is refused.
 */
async function authority(input: CreateGrantInput, ctx: OperationContext, key: ResolvedKey, deps: Pick<ServiceDeps, 'realm' | 'grants' | 'policyChecks'>, now: Date) {
  const c = input.Constraints;
  if (c?.EncryptionContextSubset !== undefined && c.EncryptionContextEquals !== undefined) {
    throw new KmsError('ValidationFailed', 'A grant constraint can contain EncryptionContextSubset or EncryptionContextEquals, not both.');
  }
  const unconstrainable = input.Operations.filter((o) => !CONSTRAINABLE_OPERATIONS.has(o));
  if ((c?.EncryptionContextSubset !== undefined || c?.EncryptionContextEquals !== undefined) && unconstrainable.length > 0) {
    throw new KmsError('ValidationFailed', `Grant constraints cannot be used with operations that take no encryption context: ${unconstrainable.join(', ')}.`);
  }
  if (input.ExpiresAt !== undefined && input.ExpiresAt.getTime() <= now.getTime()) throw new KmsError('ValidationFailed', 'ExpiresAt must be in the future.');
  const constraints = c === undefined ? undefined : { encryptionContextSubset: c.EncryptionContextSubset, encryptionContextEquals: c.EncryptionContextEquals, sourceArn: c.SourceArn };
  const operations = [...new Set(input.Operations)];
  // A caller allowed CreateGrant only by a grant may delegate no more than that grant gives it.
  const byPolicy = await deps.policyChecks.allowedByPolicies({
    principal: ctx.principal,
    action: 'kms:CreateGrant',
    resource: key.arn,
    resourceAccount: deps.realm.account,
    context: { ...conditionContext(createGrantConditions, input).context, 'kms:GrantIsForAWSResource': 'false' },
    key: key.record,
    request: ctx.request,
  });
  const existing = await deps.grants.grantsForKey(key.record.id);
  let parent: GrantRecord | undefined;
  if (!byPolicy) {
    const own = liveGrants(existing).filter((g) => grantNamesCaller(g, ctx.principal, ctx.request?.sourceArn));
    parent = delegatingParent(own, { operations, constraints }, now);
    if (parent === undefined) {
      throw new KmsError('AccessDenied', `User: ${ctx.principal.arn} is not authorized to perform: kms:CreateGrant on resource: ${key.arn} because no policy allows the kms:CreateGrant action`);
    }
  }
  return { existing, parent, operations, constraints };
}
