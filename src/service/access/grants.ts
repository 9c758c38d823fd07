import { z } from 'zod';
import { accountRootArn, keyArn, type Realm } from '../../core/arn.js';
import { isUuid } from '../../crypto/encoding.js';
import { KmsError } from '../../core/errors.js';
import { GRANT_OPERATIONS, type GrantRecord } from '../../core/grant.js';
import type { ServiceDeps } from '../pipeline/deps.js';
import { str } from '../pipeline/schemas.js';

/** Shared pieces of the grant operations. */

const TOKEN_PREFIX = 'arca-grant-v1:';

/**
 * A grant token names the grant and its key. Arca's grants take effect as soon as CreateGrant returns
 * (one consistent store), so a token is only ever needed to name a grant in RetireGrant; requests may
 * pass tokens in `GrantTokens` as AWS clients do, and they are accepted.
 */
export function grantToken(keyId: string, grantId: string): string {
  return Buffer.from(`${TOKEN_PREFIX}${keyId}:${grantId}`, 'utf8').toString('base64url');
}

export function parseGrantToken(token: string): { keyId: string; grantId: string } {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const [keyId = '', grantId = ''] = text.startsWith(TOKEN_PREFIX) ? text.slice(TOKEN_PREFIX.length).split(':') : [];
  if (!isUuid(keyId) || !/^[0-9a-f]{64}$/.test(grantId)) throw new KmsError('InvalidGrantToken', 'The grant token is not valid.');
  return { keyId, grantId };
}

export const grantIdParam = str(1, 128);
export const grantOperations = z.array(z.enum(GRANT_OPERATIONS)).min(1, 'Member must have length greater than or equal to 1');
export const principalArnParam = str(1, 256).regex(/^[\w+=,.@:/-]+$/, 'Member must satisfy regular expression pattern: ^[\\w+=,.@:/-]+$');

/**
 * Grants as ListGrants and ListRetirableGrants show them: a grantee or retiring principal that has been
 * deleted shows its unique id instead of the ARN (as AWS does), since the grant names only that principal.
 */
export async function grantsForWire(deps: Pick<ServiceDeps, 'realm' | 'principals'>, grants: readonly GrantRecord[]) {
  const gone = new Set<string>();
  const ids = new Set(grants.flatMap((g) => [g.granteePrincipalId, g.retiringPrincipalId]));
  for (const id of ids) if (id !== undefined && (await deps.principals.getPrincipal(id)) === undefined) gone.add(id);
  return grants.map((g) => grantForWire(deps.realm, g, gone));
}

function grantForWire(realm: Realm, g: GrantRecord, gone: ReadonlySet<string>) {
  const c = g.constraints;
  const shown = (arn: string, id: string | undefined) => (id !== undefined && gone.has(id) ? id : arn);
  return {
    KeyId: keyArn(realm, g.keyId),
    GrantId: g.grantId,
    ...(g.name !== undefined ? { Name: g.name } : {}),
    CreationDate: g.createdAt,
    GranteePrincipal: shown(g.granteePrincipal, g.granteePrincipalId),
    ...(g.retiringPrincipal !== undefined ? { RetiringPrincipal: shown(g.retiringPrincipal, g.retiringPrincipalId) } : {}),
    IssuingAccount: accountRootArn(realm),
    Operations: [...g.operations],
    ...(c !== undefined
      ? { Constraints: { ...(c.encryptionContextSubset ? { EncryptionContextSubset: c.encryptionContextSubset } : {}), ...(c.encryptionContextEquals ? { EncryptionContextEquals: c.encryptionContextEquals } : {}) } }
      : {}),
    ...(g.expiresAt !== undefined ? { ExpiresAt: g.expiresAt } : {}),
  };
}
