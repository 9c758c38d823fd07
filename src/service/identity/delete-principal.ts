import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import { defineOperation } from '../pipeline/operation.js';
import { principalName, requirePrincipal } from './principals.js';

export const deletePrincipal = defineOperation({
  service: 'ArcaService',
  name: 'DeletePrincipal',
  description: 'Deletes a principal.',
  effect: 'write',
  uses: ['principals'] as const,
  input: z.object({ PrincipalName: principalName }),
  keys: {},
  async execute(input, ctx, deps) {
    const p = await requirePrincipal(deps, input.PrincipalName);
    // Deleting oneself would end the session mid-request and could leave no administrator.
    if (p.id === ctx.principal.id) throw new KmsError('ValidationFailed', 'A principal cannot delete itself.');
    await deps.principals.deletePrincipal(p.id);
    return {};
  },
  auditRequest: (i) => ({ principalName: i.PrincipalName }),
});
