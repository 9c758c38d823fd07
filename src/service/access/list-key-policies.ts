import { z } from 'zod';
import { defineOperation } from '../pipeline/operation.js';
import { keyIdParam, limit, marker } from '../pipeline/schemas.js';

export const listKeyPolicies = defineOperation({
  service: 'TrentService',
  name: 'ListKeyPolicies',
  description: 'Lists the names of the key policies of a KMS key (always default).',
  effect: 'read',
  uses: [] as const,
  input: z.object({ KeyId: keyIdParam, Limit: limit(1000), Marker: marker }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'read', allowAlias: false } },
  async execute() {
    return { PolicyNames: ['default'], Truncated: false };
  },
  auditRequest: (i) => ({ keyId: i.KeyId }),
});
