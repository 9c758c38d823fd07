import { z } from 'zod';
import { dateTag, MANAGED_TAGS } from '../../core/managed-key.js';
import { defineOperation } from '../pipeline/operation.js';
import { keyIdParam } from '../pipeline/schemas.js';
import { managedFacts, wrongLifecycle } from './managed-facts.js';

/** Why a key in each other lifecycle cannot be activated (KMIP: Wrong Key Lifecycle State). */
const REFUSED = {
  Active: 'only a PreActive key can be activated, and this one already is active.',
  Deactivated: 'a revoked key cannot be activated.',
  Compromised: 'a revoked (compromised) key cannot be activated.',
  Destroyed: 'a destroyed key cannot be activated.',
  DestroyedCompromised: 'a destroyed key cannot be activated.',
} as const;

/**
 * KMIP Activate (ADR 0027): a PreActive key (Disabled, `arca:Lifecycle=PreActive`) becomes Enabled,
 * `arca:Lifecycle=Active`, with its `arca:ActivationDate`. Any other lifecycle is KMSInvalidStateException.
 */
export const activateKey = defineOperation({
  service: 'ArcaService',
  name: 'ActivateKey',
  description: 'Activates a PreActive managed key (KMIP Activate): the key becomes Enabled and its arca:Lifecycle Active.',
  effect: 'write',
  uses: ['keys', 'clock'] as const,
  input: z.object({ KeyId: keyIdParam }),
  // `enable`: a key pending import, deletion, unavailable or creating is refused by the key state table first.
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'enable', allowAlias: true } },
  async check(_input, ctx, deps) {
    const { lifecycle } = await managedFacts(deps, ctx.keys.key.record);
    if (lifecycle !== 'PreActive') throw wrongLifecycle(ctx.keys.key, lifecycle, REFUSED[lifecycle]);
  },
  async execute(_input, ctx, deps) {
    // Again inside the transaction: a revocation may have committed since the check.
    const key = (await deps.keys.getKey(ctx.keys.key.record.id)) ?? ctx.keys.key.record;
    const { lifecycle } = await managedFacts(deps, key);
    if (lifecycle !== 'PreActive') throw wrongLifecycle(ctx.keys.key, lifecycle, REFUSED[lifecycle]);
    await deps.keys.putTags(key.id, [
      { key: MANAGED_TAGS.lifecycle, value: 'Active' },
      { key: MANAGED_TAGS.activationDate, value: dateTag(deps.clock.now()) },
    ]);
    await deps.keys.updateKey(key.id, { state: 'Enabled' });
    return {};
  },
  auditRequest: (i) => ({ keyId: i.KeyId }),
});
