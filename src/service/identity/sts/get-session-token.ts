import { z } from 'zod';
import { KmsError } from '../../../core/errors.js';
import { SESSION_LIMITS } from '../../../core/session.js';
import { defineOperation } from '../../pipeline/operation.js';
import { verifyMfa } from '../mfa/verify-mfa.js';
import { durationSeconds, issueSession, mfaAuthorizationContext, mfaMembers } from './session-credentials.js';

/**
 * AWS STS GetSessionToken: temporary credentials for the caller itself (its own identity policies
 * apply). Like AWS, it needs no permission, and session credentials cannot call it. With `SerialNumber`
 * and `TokenCode` the caller's MFA code is checked and the session carries MFA (`aws:MultiFactorAuthPresent`).
 */
export const getSessionToken = defineOperation({
  service: 'AWSSecurityTokenServiceV20110615',
  name: 'GetSessionToken',
  description: 'Returns temporary credentials for the calling principal itself.',
  effect: 'write',
  uses: ['clock', 'principals', 'keyring'] as const,
  input: z.object({
    DurationSeconds: durationSeconds(SESSION_LIMITS.minSeconds, SESSION_LIMITS.sessionTokenMaxSeconds).optional().describe('The session lifetime in seconds: 900 to 129600 (default 43200).'),
    ...mfaMembers,
  }),
  keys: {},
  needsPermission: false,
  authorizationContext: (i) => mfaAuthorizationContext(i),
  async check(_input, ctx) {
    if (ctx.principal.session !== undefined) throw new KmsError('AccessDenied', 'Cannot call GetSessionToken with session credentials');
  },
  async execute(input, ctx, deps) {
    const principal = await deps.principals.getPrincipal(ctx.principal.id);
    if (principal === undefined) throw new KmsError('AccessDenied', 'The caller no longer exists.');
    const mfaAuthenticatedAt = await verifyMfa(deps, ctx.principal, input);
    const credentials = await issueSession(deps, {
      principal,
      kind: 'SessionToken',
      sessionName: '',
      durationSeconds: input.DurationSeconds ?? SESSION_LIMITS.sessionTokenDefaultSeconds,
      tags: [],
      transitiveTagKeys: [],
      sourceArn: ctx.principal.arn,
      mfaAuthenticatedAt,
    });
    return { Credentials: credentials };
  },
  auditRequest: (i) => ({ durationSeconds: i.DurationSeconds, serialNumber: i.SerialNumber }),
  auditResponse: (o) => ({ credentials: { accessKeyId: o.Credentials.AccessKeyId, expiration: o.Credentials.Expiration.toISOString() } }),
});
