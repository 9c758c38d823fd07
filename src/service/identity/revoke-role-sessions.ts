import { z } from 'zod';
import { defineOperation } from '../pipeline/operation.js';
import { principalName, requirePrincipal } from './principals.js';

/**
 * Revokes every session issued to a principal until now: a role's AssumeRole sessions, or a user's
 * GetSessionToken sessions. Each stops working on its next request; sessions issued afterwards work.
 */
export const revokeRoleSessions = defineOperation({
  service: 'ArcaService',
  name: 'RevokeRoleSessions',
  description: 'Revokes every STS session issued to a role (or a principal’s session tokens) until now.',
  effect: 'write',
  uses: ['clock', 'principals'] as const,
  input: z.object({ PrincipalName: principalName }),
  keys: {},
  async execute(input, _ctx, deps) {
    const p = await requirePrincipal(deps, input.PrincipalName);
    const at = deps.clock.now();
    const revoked = await deps.principals.revokeSessions(p.id, at);
    return { RevokedSessions: revoked, RevokedAt: at };
  },
  auditRequest: (i) => ({ principalName: i.PrincipalName }),
  auditResponse: (o) => ({ revokedSessions: o.RevokedSessions }),
});
