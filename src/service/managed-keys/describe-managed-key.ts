import { z } from 'zod';
import { MANAGED_TAGS, tagValue } from '../../core/managed-key.js';
import { keyMetadata } from '../keys/key-metadata.js';
import { MAX_ALIASES_PER_KEY } from '../keys/create-alias.js';
import { tagsForWire } from '../keys/tags.js';
import { defineOperation } from '../pipeline/operation.js';
import { keyIdParam } from '../pipeline/schemas.js';
import { dateMember, managedFacts } from './managed-facts.js';

/**
 * A key as a KMIP server needs it in one call (ADR 0027): its KeyMetadata, alias names, every tag (reserved
 * ones included), and its KMIP facts: exportability, lifecycle, revocation reason and dates (Dates, which
 * the AWS protocol encodes as epoch seconds like KeyMetadata's). Authorized as its own derived action
 * (`arca:DescribeManagedKey`): it reveals tags and aliases, which kms:DescribeKey alone does not.
 */
export const describeManagedKey = defineOperation({
  service: 'ArcaService',
  name: 'DescribeManagedKey',
  description: 'Returns a key\'s metadata, aliases, tags and KMIP facts (exportable, lifecycle, revocation reason and dates).',
  effect: 'read',
  uses: ['keys', 'realm'] as const,
  input: z.object({ KeyId: keyIdParam }),
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'read', allowAlias: true } },
  async execute(_input, ctx, deps) {
    const key = ctx.keys.key.record;
    const facts = await managedFacts(deps, key);
    const aliases = await deps.keys.listAliases(key.region, key.id, undefined, MAX_ALIASES_PER_KEY);
    const reason = tagValue(facts.tags, MANAGED_TAGS.revocationReason);
    return {
      KeyMetadata: keyMetadata(deps.realm, key),
      Aliases: aliases.items.map((a) => a.name),
      Tags: tagsForWire(facts.tags),
      Exportable: facts.exportable,
      Lifecycle: facts.lifecycle,
      ...(reason === undefined ? {} : { RevocationReason: reason }),
      ...dateMember('ActivationDate', facts.tags, MANAGED_TAGS.activationDate),
      ...dateMember('DeactivationDate', facts.tags, MANAGED_TAGS.deactivationDate),
      ...dateMember('CompromiseDate', facts.tags, MANAGED_TAGS.compromiseDate),
    };
  },
  auditRequest: (i) => ({ keyId: i.KeyId }),
});
