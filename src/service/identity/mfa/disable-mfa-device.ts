import { z } from 'zod';
import { KmsError } from '../../../core/errors.js';
import { defineOperation } from '../../pipeline/operation.js';
import { principalName, requirePrincipal } from '../principals.js';

/**
 * Removes a principal's virtual MFA device (its seed is deleted). Sessions already issued with MFA keep
 * working until they expire or are revoked (RevokeRoleSessions), as in AWS.
 */
export const disableMfaDevice = defineOperation({
  service: 'ArcaService',
  name: 'DisableMfaDevice',
  description: 'Removes a principal’s virtual MFA device.',
  effect: 'write',
  uses: ['principals'] as const,
  input: z.object({ PrincipalName: principalName }),
  keys: {},
  async execute(input, _ctx, deps) {
    const p = await requirePrincipal(deps, input.PrincipalName);
    if (!(await deps.principals.deleteMfaDevice(p.id))) throw new KmsError('KeyNotFound', `The principal ${p.name} has no MFA device.`);
    return {};
  },
  auditRequest: (i) => ({ principalName: i.PrincipalName }),
});
