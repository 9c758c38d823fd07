import { z } from 'zod';
import { accountRootArn, keyArn, type Realm } from '../../core/arn.js';
import { isUuid } from '../../crypto/encoding.js';
import { KmsError } from '../../core/errors.js';
import { GRANT_OPERATIONS, type GrantRecord } from '../../core/grant.js';
import type { Principal } from '../../core/principal.js';
import { isServicePrincipalName, servicePrincipalOf } from '../../core/service-principal.js';
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
 * AWS's GranteeServicePrincipal/RetiringServicePrincipal members: AWS's rule for a principal, and a
 * service principal's name form (ADR 0021), so that no ARN can ever be stored as a service principal
 * (stored grants bind an ARN to the first principal created with it: ADR 0009).
 */
export const servicePrincipalParam = principalArnParam.refine(isServicePrincipalName, 'Member must be a service principal name: a lower-case DNS name such as logs.amazonaws.com');
/** AWS's `SourceArn` grant constraint member: an ARN of at most 2048 characters. */
export const sourceArnParam = str(1, 2048).regex(/^arn:[\x21-\x7e]+$/, 'Member must satisfy regular expression pattern: ^arn:[\\x21-\\x7e]+$');

/** The members CreateGrant's grantee and retiring rules read. */
interface GrantPrincipals {
  readonly GranteePrincipal?: string | undefined;
  readonly GranteeServicePrincipal?: string | undefined;
  readonly RetiringPrincipal?: string | undefined;
  readonly RetiringServicePrincipal?: string | undefined;
  readonly Constraints?: { readonly SourceArn?: string | undefined } | undefined;
}

/**
 * AWS's CreateGrant rules for its principals, as validation errors (before authorization): exactly one of
 * GranteePrincipal and GranteeServicePrincipal; at most one of RetiringPrincipal and
 * RetiringServicePrincipal; a grant to a service principal has a SourceArn constraint and a retiring
 * principal of either kind.
 */
export function grantPrincipalRules(i: GrantPrincipals, ctx: z.RefinementCtx): void {
  // A required member left out reads as AWS words a missing member: `Value null at '<member>' ... Member must not be null`.
  const missing = (path: string[]) => ctx.addIssue({ code: 'invalid_type', expected: 'string', input: undefined, path, message: 'Member must not be null' });
  const excess = (path: string, other: string, value: string) => ctx.addIssue({ code: 'custom', input: value, path: [path], message: `Member must be null when ${other} is specified` });
  if (i.GranteePrincipal === undefined && i.GranteeServicePrincipal === undefined) missing(['GranteePrincipal']);
  if (i.GranteePrincipal !== undefined && i.GranteeServicePrincipal !== undefined) excess('GranteeServicePrincipal', 'GranteePrincipal', i.GranteeServicePrincipal);
  if (i.RetiringPrincipal !== undefined && i.RetiringServicePrincipal !== undefined) excess('RetiringServicePrincipal', 'RetiringPrincipal', i.RetiringServicePrincipal);
  if (i.GranteeServicePrincipal !== undefined && i.Constraints?.SourceArn === undefined) missing(['Constraints', 'SourceArn']);
  if (i.GranteeServicePrincipal !== undefined && i.RetiringPrincipal === undefined && i.RetiringServicePrincipal === undefined) missing(['RetiringPrincipal']);
}

/**
 * Whether grant `g` is the caller's own, as CreateGrant's delegation reads it: the principal whose id it
 * recorded (ADR 0009), or, for a grant to a service principal, that service principal acting for the
 * grant's source ARN (ADR 0021).
 */
export function grantNamesCaller(g: GrantRecord, caller: Principal, sourceArn: string | undefined): boolean {
  if (g.granteeServicePrincipal !== undefined) return g.granteeServicePrincipal === servicePrincipalOf(caller) && (g.constraints?.sourceArn === undefined || g.constraints.sourceArn === sourceArn);
  return g.granteePrincipal === caller.arn && g.granteePrincipalId === caller.id;
}

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
    ...(g.granteeServicePrincipal !== undefined ? { GranteeServicePrincipal: g.granteeServicePrincipal } : {}),
    ...(g.retiringPrincipal !== undefined ? { RetiringPrincipal: shown(g.retiringPrincipal, g.retiringPrincipalId) } : {}),
    ...(g.retiringServicePrincipal !== undefined ? { RetiringServicePrincipal: g.retiringServicePrincipal } : {}),
    IssuingAccount: accountRootArn(realm),
    Operations: [...g.operations],
    ...(c !== undefined
      ? {
          Constraints: {
            ...(c.encryptionContextSubset ? { EncryptionContextSubset: c.encryptionContextSubset } : {}),
            ...(c.encryptionContextEquals ? { EncryptionContextEquals: c.encryptionContextEquals } : {}),
            ...(c.sourceArn !== undefined ? { SourceArn: c.sourceArn } : {}),
          },
        }
      : {}),
    ...(g.expiresAt !== undefined ? { ExpiresAt: g.expiresAt } : {}),
  };
}
