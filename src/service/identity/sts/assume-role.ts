import { z } from 'zod';
import { KmsError } from '../../../core/errors.js';
import type { Tag } from '../../../core/key.js';
import { assumedRoleArn, reservedTagKey, SESSION_LIMITS } from '../../../core/session.js';
import type { Principal } from '../../../core/principal.js';
import { defineOperation } from '../../pipeline/operation.js';
import { str } from '../../pipeline/schemas.js';
import { verifyMfa } from '../mfa/verify-mfa.js';
import { durationSeconds, issueSession, mfaAuthorizationContext, mfaMembers } from './session-credentials.js';

const NAME_PATTERN = /^[\w+=,.@-]*$/;

const sessionTags = z
  .array(z.object({ Key: str(1, 128).describe('The tag key.'), Value: str(0, 256).describe('The tag value.') }))
  .max(50, 'Member must have length less than or equal to 50');

/** Tags the caller's own session passes on to a chained session (its transitive tags). */
function inheritedTags(caller: Principal): Tag[] {
  const s = caller.session;
  if (s === undefined) return [];
  return s.tags.filter((t) => s.transitiveTagKeys.some((k) => k.toLowerCase() === t.key.toLowerCase()));
}

/**
 * AWS STS AssumeRole: temporary credentials for a role. The pipeline authorizes `sts:AssumeRole` on the
 * role ARN with the role's trust policy as the resource policy (a trust policy naming the caller is
 * enough; one naming the account needs the caller's identity policy too); session tags also need
 * `sts:TagSession`. The session acts with the role's identity policies as
 * `arn:aws:sts::<account>:assumed-role/<role>/<session>`.
 */
export const assumeRole = defineOperation({
  service: 'AWSSecurityTokenServiceV20110615',
  name: 'AssumeRole',
  description: 'Returns temporary credentials for a role whose trust policy lets the caller assume it.',
  effect: 'write',
  uses: ['clock', 'realm', 'principals', 'keyring', 'policyChecks'] as const,
  input: z.object({
    RoleArn: str(20, 2048).describe('The ARN of the role to assume.'),
    RoleSessionName: str(2, 64).regex(NAME_PATTERN, 'Member must satisfy regular expression pattern: [\\w+=,.@-]*').describe('A name for the session, part of the assumed-role ARN.'),
    DurationSeconds: durationSeconds(SESSION_LIMITS.minSeconds, SESSION_LIMITS.roleMaxSeconds).optional().describe('The session lifetime in seconds: 900 up to the role’s MaxSessionDuration (default 3600).'),
    ExternalId: str(2, 1224).regex(/^[\w+=,.@:/-]*$/, 'Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*').optional().describe('The external id the trust policy may require (sts:ExternalId).'),
    Tags: sessionTags.optional().describe('Session tags: principal tags of the session (needs sts:TagSession).'),
    TransitiveTagKeys: z.array(str(1, 128)).max(50, 'Member must have length less than or equal to 50').optional().describe('Session tag keys passed on to sessions this session assumes.'),
    Policy: str(1, 2048).optional().describe('A session policy (not supported yet: refused).'),
    PolicyArns: z.array(z.object({ arn: str(20, 2048).describe('A managed policy ARN.') })).optional().describe('Managed session policies (not supported yet: refused).'),
    SourceIdentity: str(2, 64).optional().describe('A source identity (not supported yet: refused).'),
    ...mfaMembers,
  }),
  conditions: (c) => [
    c.scalar('sts:ExternalId', (i) => i.ExternalId),
    c.scalar('sts:RoleSessionName', (i) => i.RoleSessionName),
    c.list('sts:TransitiveTagKeys', (i) => i.TransitiveTagKeys),
    c.requestTags((i) => i.Tags?.map((t) => ({ TagKey: t.Key, TagValue: t.Value }))),
  ],
  authorizationContext: (i) => mfaAuthorizationContext(i),
  keys: {},
  resource: (i) => i.RoleArn,
  async check(input, ctx, deps) {
    if (input.Policy !== undefined || input.PolicyArns !== undefined || input.SourceIdentity !== undefined) {
      throw new KmsError('UnsupportedOperation', 'Session policies (Policy, PolicyArns) and SourceIdentity are not supported by this STS endpoint yet.');
    }
    const role = await deps.principals.findPrincipalByName(input.RoleArn.slice(input.RoleArn.lastIndexOf('/') + 1));
    // The pipeline authorized the call against this role's trust policy, so the role exists.
    if (role === undefined || role.arn !== input.RoleArn) throw new KmsError('AccessDenied', `Role ${input.RoleArn} cannot be assumed.`);
    const trust = await deps.principals.getRoleTrust(role.id);
    const max = ctx.principal.session?.kind === 'AssumedRole' ? SESSION_LIMITS.assumeRoleDefaultSeconds : (trust?.maxSessionDuration ?? SESSION_LIMITS.assumeRoleDefaultSeconds);
    if ((input.DurationSeconds ?? SESSION_LIMITS.assumeRoleDefaultSeconds) > max) {
      const why = ctx.principal.session?.kind === 'AssumedRole' ? 'the 1 hour session limit for roles assumed by role chaining' : 'the MaxSessionDuration set for this role';
      // AWS's ValidationError for this is a bare sentence, not a list of violations.
      throw new KmsError('ValidationFailed', `The requested DurationSeconds exceeds ${why}.`);
    }
    const keys = (input.Tags ?? []).map((t) => t.Key.toLowerCase());
    // Posture keys are the token's or an administrator's to set, never a caller's (core/session.ts).
    const reserved = (input.Tags ?? []).find((t) => reservedTagKey(t.Key));
    if (reserved !== undefined) throw new KmsError('ValidationFailed', `The session tag key '${reserved.Key}' is reserved: keys that begin with 'aws:' or 'arca:' cannot be set.`);
    if (new Set(keys).size !== keys.length) throw new KmsError('ValidationFailed', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    if (inheritedTags(ctx.principal).some((t) => keys.includes(t.key.toLowerCase()))) {
      throw new KmsError('ValidationFailed', 'One or more of the specified transitive tag keys can\'t be set because it conflicts with a transitive tag key from the calling session.');
    }
    if (keys.length > 0) {
      const context: Record<string, string | readonly string[]> = { 'aws:TagKeys': (input.Tags ?? []).map((t) => t.Key) };
      for (const t of input.Tags ?? []) context[`aws:RequestTag/${t.Key}`] = t.Value;
      const allowed = await deps.policyChecks.allowedByPolicies({ principal: ctx.principal, action: 'sts:TagSession', resource: input.RoleArn, resourceAccount: deps.realm.account, context, request: ctx.request });
      if (!allowed) throw new KmsError('AccessDenied', `User: ${ctx.principal.arn} is not authorized to perform: sts:TagSession on resource: ${input.RoleArn}`);
    }
  },
  async execute(input, ctx, deps) {
    const role = await deps.principals.findPrincipalByName(input.RoleArn.slice(input.RoleArn.lastIndexOf('/') + 1));
    if (role === undefined) throw new KmsError('AccessDenied', `Role ${input.RoleArn} cannot be assumed.`);
    // A code proves MFA now; without one, a caller's MFA session passes its MFA on to the role session.
    const mfaAuthenticatedAt = (await verifyMfa(deps, ctx.principal, input)) ?? ctx.principal.session?.mfaAuthenticatedAt;
    const tags = [...inheritedTags(ctx.principal), ...(input.Tags ?? []).map((t) => ({ key: t.Key, value: t.Value }))];
    const transitive = [...(ctx.principal.session?.transitiveTagKeys ?? []).filter((k) => tags.some((t) => t.key.toLowerCase() === k.toLowerCase())), ...(input.TransitiveTagKeys ?? [])];
    const credentials = await issueSession(deps, {
      principal: role,
      kind: 'AssumedRole',
      sessionName: input.RoleSessionName,
      durationSeconds: input.DurationSeconds ?? SESSION_LIMITS.assumeRoleDefaultSeconds,
      tags,
      transitiveTagKeys: transitive,
      sourceArn: ctx.principal.arn,
      mfaAuthenticatedAt,
    });
    return {
      Credentials: credentials,
      AssumedRoleUser: { AssumedRoleId: `${role.id}:${input.RoleSessionName}`, Arn: assumedRoleArn(deps.realm, role.name, input.RoleSessionName) },
    };
  },
  auditRequest: (i) => ({
    roleArn: i.RoleArn,
    roleSessionName: i.RoleSessionName,
    durationSeconds: i.DurationSeconds,
    externalId: i.ExternalId,
    serialNumber: i.SerialNumber,
    tagKeys: i.Tags?.map((t) => t.Key),
    transitiveTagKeys: i.TransitiveTagKeys,
  }),
  auditResponse: (o) => ({
    credentials: { accessKeyId: o.Credentials.AccessKeyId, expiration: o.Credentials.Expiration.toISOString() },
    assumedRoleUser: { assumedRoleId: o.AssumedRoleUser.AssumedRoleId, arn: o.AssumedRoleUser.Arn },
  }),
});
