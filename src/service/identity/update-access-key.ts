import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import { accessKeyOf } from './access-key-of.js';
import { defineOperation } from '../pipeline/operation.js';
import { accessKeyStatus, MAX_ACTIVE_ACCESS_KEYS, principalName } from './principals.js';
import { str } from '../pipeline/schemas.js';

/** Activates or deactivates an access key; an inactive key fails authentication from the next request. */
export const updateAccessKey = defineOperation({
  service: 'ArcaService',
  name: 'UpdateAccessKey',
  description: 'Activates or deactivates an access key of a principal.',
  effect: 'write',
  uses: ['principals'] as const,
  input: z.object({ PrincipalName: principalName, AccessKeyId: str(16, 128).describe('The ID of the access key to change.'), Status: accessKeyStatus.describe('The new status: Active (it can sign requests) or Inactive (it cannot).') }),
  keys: {},
  async execute(input, _ctx, deps) {
    const { principal, key } = await accessKeyOf(deps, input.PrincipalName, input.AccessKeyId);
    if (input.Status === 'Active' && key.status !== 'Active') {
      const active = (await deps.principals.listAccessKeys(principal.id)).filter((k) => k.status === 'Active');
      if (active.length >= MAX_ACTIVE_ACCESS_KEYS) throw new KmsError('LimitExceeded', `Cannot exceed quota for active access keys per principal: ${MAX_ACTIVE_ACCESS_KEYS}.`);
    }
    await deps.principals.updateAccessKeyStatus(key.accessKeyId, input.Status);
    return {};
  },
  auditRequest: (i) => ({ principalName: i.PrincipalName, accessKeyId: i.AccessKeyId, status: i.Status }),
});
