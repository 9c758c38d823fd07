import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import { isPrincipalReference, type PrincipalRecord, type PrincipalType } from '../../core/principal.js';
import type { ServiceDeps } from '../pipeline/deps.js';
import { str } from '../pipeline/schemas.js';

/** Shared pieces of the ArcaService principal, access-key and identity-policy operations. */

/** IAM's user and role name rule: 1–64 of letters, digits and `+=,.@_-`. */
export const principalName = str(1, 64).regex(/^[\w+=,.@-]+$/, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+').describe('The name of the principal (a user, role or service account).');

export const PRINCIPAL_TYPES = ['user', 'role', 'service'] as const satisfies readonly PrincipalType[];

/** IAM's policy name rule. */
export const policyName = str(1, 128).regex(/^[\w+=,.@-]+$/, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+').describe('The name of the identity policy attached to the principal.');

/** The principal named `name`, or NotFoundException. */
export async function requirePrincipal(deps: Pick<ServiceDeps, 'principals'>, name: string): Promise<PrincipalRecord> {
  const p = await deps.principals.findPrincipalByName(name);
  if (p === undefined) throw new KmsError('KeyNotFound', `The principal ${name} does not exist.`);
  return p;
}

/**
 * The unique id of the principal that holds `arn` now, or null when none does or `arn` is not an IAM
 * user or role ARN (account roots, `*`, service principals): what a stored policy or grant records (ADR 0009).
 */
export async function resolvePrincipalArn(deps: Pick<ServiceDeps, 'principals'>, arn: string): Promise<string | null> {
  if (!isPrincipalReference(arn)) return null;
  const p = await deps.principals.findPrincipalByName(arn.slice(arn.lastIndexOf('/') + 1));
  return p !== undefined && p.arn === arn ? p.id : null;
}

export function principalForWire(p: PrincipalRecord) {
  return { PrincipalName: p.name, PrincipalType: p.type, PrincipalId: p.id, Arn: p.arn, CreateDate: p.createdAt };
}

/** AWS's cap on access keys per IAM user; Arca counts active keys only (inactive ones can be kept for rotation). */
export const MAX_ACTIVE_ACCESS_KEYS = 2;

export const accessKeyStatus = z.enum(['Active', 'Inactive']);
