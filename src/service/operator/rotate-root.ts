import { z } from 'zod';
import { defineOperation } from '../pipeline/operation.js';
import { sealingOf } from './seal-status.js';

/**
 * `ArcaService.RotateRoot` (`arca operator rotate-root`): makes a new domain key version under the root
 * of trust. New key material and access keys are wrapped under it at once; existing ones are rewrapped
 * in the background without downtime (and they keep working meanwhile). Authenticated (arca:RotateRoot).
 */
export const rotateRoot = defineOperation({
  service: 'ArcaService',
  name: 'RotateRoot',
  description: 'Creates a new domain key version; stored key material is rewrapped under it in the background.',
  effect: 'write',
  uses: ['sealing'] as const,
  input: z.object({}),
  keys: {},
  async execute(_input, _ctx, deps) {
    const { domainKeyVersion, stale } = await sealingOf(deps).rotateRoot();
    return { DomainKeyVersion: domainKeyVersion, SecretsToRewrap: stale };
  },
  auditRequest: () => ({}),
  auditResponse: (o) => ({ domainKeyVersion: o.DomainKeyVersion, secretsToRewrap: o.SecretsToRewrap }),
});
