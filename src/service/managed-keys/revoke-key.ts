import { z } from 'zod';
import { dateTag, lifecycleAfterRevocation, MANAGED_TAGS, REVOCATION_REASONS, tagValue, type KmipLifecycle } from '../../core/managed-key.js';
import type { Tag } from '../../core/key.js';
import { defineOperation } from '../pipeline/operation.js';
import { keyIdParam, str } from '../pipeline/schemas.js';
import { managedFacts, wrongLifecycle } from './managed-facts.js';

/** The lifecycles a key can be revoked from: any but destroyed (a compromised key stays compromised). */
const REVOCABLE: readonly KmipLifecycle[] = ['PreActive', 'Active', 'Deactivated', 'Compromised'];

/**
 * KMIP Revoke (ADR 0027): the key becomes Disabled, `arca:Lifecycle` Compromised (KeyCompromise,
 * CACompromise, or already compromised) or Deactivated, with `arca:DeactivationDate` (and
 * `arca:CompromiseDate`) and `arca:RevocationReason`. A destroyed key is KMSInvalidStateException.
 */
export const revokeKey = defineOperation({
  service: 'ArcaService',
  name: 'RevokeKey',
  description: 'Revokes a managed key (KMIP Revoke): the key becomes Disabled, Deactivated or Compromised, with the reason and dates as arca: tags.',
  effect: 'write',
  uses: ['keys', 'clock', 'hierarchy'] as const,
  input: z.object({
    KeyId: keyIdParam,
    RevocationReason: z.enum(REVOCATION_REASONS).describe('Why: Unspecified, KeyCompromise, CACompromise, AffiliationChanged, Superseded, CessationOfOperation or PrivilegeWithdrawn.'),
    RevocationMessage: str(0, 512).optional().describe('A note about the revocation; recorded in the audit event, not on the key.'),
    CompromiseOccurrenceDate: z.number().transform((s) => new Date(s * 1000)).optional().describe('When the compromise happened (epoch seconds), for KeyCompromise and CACompromise; by default now.'),
  }),
  // `disable`: a key pending import, deletion, unavailable or creating is refused by the key state table first.
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'disable', allowAlias: true } },
  async check(_input, ctx, deps) {
    const { lifecycle } = await managedFacts(deps, ctx.keys.key.record);
    if (!REVOCABLE.includes(lifecycle)) throw wrongLifecycle(ctx.keys.key, lifecycle, 'a destroyed key cannot be revoked.');
  },
  async execute(input, ctx, deps) {
    // Read again inside the transaction: another revocation or a deletion may have committed since the check.
    const key = (await deps.keys.getKey(ctx.keys.key.record.id)) ?? ctx.keys.key.record;
    const { lifecycle, tags: current } = await managedFacts(deps, key);
    if (!REVOCABLE.includes(lifecycle)) throw wrongLifecycle(ctx.keys.key, lifecycle, 'a destroyed key cannot be revoked.');
    const next = lifecycleAfterRevocation(lifecycle, input.RevocationReason);
    const now = deps.clock.now();
    const tags: Tag[] = [
      { key: MANAGED_TAGS.lifecycle, value: next },
      { key: MANAGED_TAGS.revocationReason, value: input.RevocationReason },
    ];
    // The first revocation dates the deactivation and the first compromise the compromise: a key revoked again keeps its dates.
    if (tagValue(current, MANAGED_TAGS.deactivationDate) === undefined) tags.push({ key: MANAGED_TAGS.deactivationDate, value: dateTag(now) });
    if (next === 'Compromised' && tagValue(current, MANAGED_TAGS.compromiseDate) === undefined) tags.push({ key: MANAGED_TAGS.compromiseDate, value: dateTag(input.CompromiseOccurrenceDate ?? now) });
    await deps.keys.putTags(key.id, tags);
    await deps.keys.updateKey(key.id, { state: 'Disabled' });
    deps.hierarchy.forgetKey(key.id);
    return {};
  },
  auditRequest: (i) => ({ keyId: i.KeyId, revocationReason: i.RevocationReason, revocationMessage: i.RevocationMessage, compromiseOccurrenceDate: i.CompromiseOccurrenceDate?.toISOString() }),
});
