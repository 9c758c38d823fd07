import { z } from 'zod';
import { aliasArn, checkAliasName } from '../../core/arn.js';
import { KmsError } from '../../core/errors.js';
import type { KeyRecord } from '../../core/key.js';
import type { KeyStore } from '../../core/ports.js';
import { defineOperation } from '../pipeline/operation.js';
import { keyIdParam, str } from '../pipeline/schemas.js';

/**
 * AWS's quota of aliases per key. It also bounds `kms:ResourceAliases`: the authorizer reads a key's
 * aliases up to a larger page, so a condition on them always sees them all.
 */
export const MAX_ALIASES_PER_KEY = 50;

/** Refuses a new alias for `key` once it has {@link MAX_ALIASES_PER_KEY}. */
export async function checkAliasQuota(keys: Pick<KeyStore, 'listAliases'>, key: KeyRecord, arn: string): Promise<void> {
  const page = await keys.listAliases(key.region, key.id, undefined, MAX_ALIASES_PER_KEY);
  if (page.items.length >= MAX_ALIASES_PER_KEY) throw new KmsError('LimitExceeded', `${arn} already has the maximum of ${MAX_ALIASES_PER_KEY} aliases.`);
}

export const createAlias = defineOperation({
  service: 'TrentService',
  name: 'CreateAlias',
  description: 'Creates an alias (a friendly name) for a KMS key.',
  effect: 'write',
  uses: ['keys', 'clock', 'realm'] as const,
  input: z.object({ AliasName: str(1, 256).describe('The alias name: alias/ followed by letters, digits, /, _ or -; alias/aws/ is reserved.'), TargetKeyId: keyIdParam.describe('The KMS key the alias points to: its key ID or key ARN.') }),
  // kms:CreateAlias on the alias (identity policies) and on the key (its key policy), as AWS: whoever may
  // alias their own key cannot claim an alias name their policies do not give them.
  alias: (i) => {
    checkAliasName(i.AliasName);
    return i.AliasName;
  },
  authorizationContext: (i) => ({ 'kms:RequestAlias': i.AliasName }),
  keys: { key: { required: true, ref: (i) => i.TargetKeyId, access: 'manage', allowAlias: false } },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key;
    if (await deps.keys.getAlias(deps.realm.region, input.AliasName)) {
      throw new KmsError('AlreadyExists', `An alias with the name ${aliasArn(deps.realm, input.AliasName)} already exists`);
    }
    await checkAliasQuota(deps.keys, key.record, key.arn);
    const now = deps.clock.now();
    await deps.keys.createAlias({ region: deps.realm.region, name: input.AliasName, keyId: key.record.id, createdAt: now, updatedAt: now });
    return {};
  },
  auditRequest: (i) => ({ aliasName: i.AliasName, targetKeyId: i.TargetKeyId }),
});
