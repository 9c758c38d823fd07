import { z } from 'zod';
import { defineOperation } from '../pipeline/operation.js';
import { principalName, requirePrincipal } from './principals.js';

export const listAccessKeys = defineOperation({
  service: 'ArcaService',
  name: 'ListAccessKeys',
  description: 'Lists the access keys of a principal, without their secrets.',
  effect: 'read',
  uses: ['principals'] as const,
  input: z.object({ PrincipalName: principalName }),
  keys: {},
  async execute(input, _ctx, deps) {
    const p = await requirePrincipal(deps, input.PrincipalName);
    const keys = await deps.principals.listAccessKeys(p.id);
    return { AccessKeyMetadata: keys.map((k) => ({ PrincipalName: p.name, AccessKeyId: k.accessKeyId, Status: k.status, CreateDate: k.createdAt })) };
  },
  auditRequest: (i) => ({ principalName: i.PrincipalName }),
});
