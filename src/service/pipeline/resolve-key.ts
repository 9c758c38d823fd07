import { aliasArn, parseKeyRef } from '../../core/arn.js';
import { KmsError } from '../../core/errors.js';
import { storageKeyId } from '../../core/multi-region.js';
import type { ServiceDeps } from './deps.js';

/**
 * The storage id of the key a caller's `KeyId` names (id, key ARN, alias name, alias ARN) in the request's
 * region (a multi-Region key's regional key: ADR 0022); NotFound when nothing does.
 */
export async function resolveKeyId(deps: Pick<ServiceDeps, 'keys' | 'realm'>, value: string, allowAlias: boolean): Promise<string> {
  const ref = parseKeyRef(deps.realm, value, { allowAlias });
  if (ref.kind === 'key') return storageKeyId(ref.keyId, deps.realm.region);
  const alias = await deps.keys.getAlias(deps.realm.region, ref.aliasName);
  if (alias === undefined) throw new KmsError('KeyNotFound', `Alias ${aliasArn(deps.realm, ref.aliasName)} is not found.`);
  return alias.keyId;
}
