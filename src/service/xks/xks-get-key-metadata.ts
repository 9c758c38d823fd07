import { z } from 'zod';
import { defineOperation } from '../pipeline/operation.js';
import { exposedKey, requestMetadata, requireExposure, xksAudit, xksConditions, xksKeyId } from './xks-common.js';

export const xksGetKeyMetadata = defineOperation({
  service: 'ArcaService',
  name: 'XksGetKeyMetadata',
  description: 'XKS proxy API GetKeyMetadata: the exposed key as AES_256, the operations allowed on it, and whether it is enabled.',
  effect: 'read',
  uses: ['xks'] as const,
  input: z.object({ XksKeyId: xksKeyId, KeyId: exposedKey, RequestMetadata: requestMetadata }),
  conditions: xksConditions,
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'read', allowAlias: true } },
  async check(input, ctx, deps) {
    requireExposure(deps.xks, ctx.principal, input);
  },
  async execute(input, ctx, deps) {
    const exposure = requireExposure(deps.xks, ctx.principal, input);
    const key = ctx.keys.key.record;
    // An external key Arca cannot use for XKS (another spec or usage, material outside Arca) offers no operation.
    const usable = key.keySpec === 'SYMMETRIC_DEFAULT' && key.keyUsage === 'ENCRYPT_DECRYPT' && (key.origin === 'AWS_KMS' || key.origin === 'EXTERNAL');
    return { KeyArn: ctx.keys.key.arn, Operations: usable ? exposure.operations : [], Enabled: key.state === 'Enabled' };
  },
  auditRequest: xksAudit,
  auditResponse: (o) => ({ keyId: o.KeyArn, enabled: o.Enabled }),
});
