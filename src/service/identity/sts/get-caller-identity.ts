import { z } from 'zod';
import { defineOperation } from '../../pipeline/operation.js';

/**
 * AWS STS GetCallerIdentity: who signed the request. Like AWS, it needs no permission: no policy, not
 * even an explicit Deny, refuses it to an authenticated caller.
 */
export const getCallerIdentity = defineOperation({
  service: 'AWSSecurityTokenServiceV20110615',
  name: 'GetCallerIdentity',
  description: 'Returns the account, unique id and ARN of the caller (an access key or a session).',
  effect: 'read',
  uses: [] as const,
  input: z.object({}),
  keys: {},
  needsPermission: false,
  async execute(_input, ctx) {
    const p = ctx.principal;
    const userId = p.session?.kind === 'AssumedRole' ? `${p.id}:${p.session.sessionName}` : p.id;
    return { UserId: userId, Account: p.account, Arn: p.arn };
  },
  auditRequest: () => ({}),
});
