import type { GrantAllowance } from './policy/evaluate.js';

/** Grants (AWS KMS): a key-scoped permission for a grantee principal to call some operations. */

/** The operations AWS lets a grant allow. */
export const GRANT_OPERATIONS = [
  'Decrypt',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'ReEncryptFrom',
  'ReEncryptTo',
  'Sign',
  'Verify',
  'GetPublicKey',
  'CreateGrant',
  'RetireGrant',
  'DescribeKey',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
  'GenerateMac',
  'VerifyMac',
  'DeriveSharedSecret',
  'Encapsulate',
  'Decapsulate',
] as const;
export type GrantOperation = (typeof GRANT_OPERATIONS)[number];

/** The grant operations an encryption-context constraint may accompany (AWS refuses the others). */
export const CONSTRAINABLE_OPERATIONS: ReadonlySet<GrantOperation> = new Set<GrantOperation>([
  'Decrypt',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
  'ReEncryptFrom',
  'ReEncryptTo',
  'CreateGrant',
  'RetireGrant',
]);

export interface GrantConstraints {
  readonly encryptionContextEquals?: Readonly<Record<string, string>> | undefined;
  readonly encryptionContextSubset?: Readonly<Record<string, string>> | undefined;
  /**
   * AWS's `SourceArn` constraint: the grant allows a request only when its `aws:SourceArn` (the resource a
   * service principal says it acts for, ADR 0021) equals this ARN; RetireGrant is exempt, as in AWS.
   */
  readonly sourceArn?: string | undefined;
}

export interface GrantRecord {
  /** 64 hex characters, as AWS's grant ids. */
  readonly grantId: string;
  readonly keyId: string;
  readonly name: string | undefined;
  /**
   * The grantee's ARN as written; for a grant to a service principal, that service principal's name
   * (AWS's ListGrants shows it there too), which no ARN comparison can match.
   */
  readonly granteePrincipal: string;
  /**
   * AWS's `GranteeServicePrincipal` (`logs.amazonaws.com`): the grant names a service principal, not an
   * IAM principal, and then always has a `sourceArn` constraint (ADR 0021).
   */
  readonly granteeServicePrincipal?: string | undefined;
  /**
   * The unique id of the principal that held `granteePrincipal` when the grant was stored (or was first
   * created with it afterwards); undefined while no principal has that ARN. Only that principal is the
   * grantee: a deleted and recreated principal of the same name is not (ADR 0009).
   */
  readonly granteePrincipalId: string | undefined;
  readonly retiringPrincipal: string | undefined;
  /** As `granteePrincipalId`, for `retiringPrincipal`. */
  readonly retiringPrincipalId: string | undefined;
  /** AWS's `RetiringServicePrincipal`: the service principal that may retire the grant (never with `retiringPrincipal`). */
  readonly retiringServicePrincipal?: string | undefined;
  /** The principal ARN that created the grant. */
  readonly issuingPrincipal: string;
  readonly operations: readonly GrantOperation[];
  readonly constraints: GrantConstraints | undefined;
  readonly createdAt: Date;
  /** Arca extension (just-in-time access): after this instant the grant authorizes nothing. */
  readonly expiresAt: Date | undefined;
  /**
   * The grant whose CreateGrant permission created this one (undefined when a policy allowed it). The
   * grant authorizes nothing once that parent is gone (retired, revoked) or expired (DESIGN §7.8).
   */
  readonly parentGrantId: string | undefined;
}

/**
 * Whether a grantee whose CreateGrant permission comes from `parent` (not from a policy) may create
 * `child`: AWS lets a grant delegate no more than it has, so the child's operations must be among the
 * parent's, and a constrained parent can only pass on its own constraint unchanged. Expired parents
 * delegate nothing.
 */
export function grantMayDelegate(parent: GrantRecord, child: Pick<GrantRecord, 'operations' | 'constraints'>, now: Date): boolean {
  if (parent.expiresAt !== undefined && now.getTime() >= parent.expiresAt.getTime()) return false;
  if (!parent.operations.includes('CreateGrant')) return false;
  if (!child.operations.every((o) => parent.operations.includes(o))) return false;
  if (parent.constraints === undefined) return true;
  return sameConstraints(parent.constraints, child.constraints);
}

/** Whether two grant constraints are the same (whatever the order of their context pairs). */
export function sameConstraints(a: GrantConstraints | undefined, b: GrantConstraints | undefined): boolean {
  const canonical = (c: GrantConstraints | undefined) =>
    JSON.stringify([Object.entries(c?.encryptionContextEquals ?? {}).sort(), Object.entries(c?.encryptionContextSubset ?? {}).sort(), c?.encryptionContextEquals === undefined, c?.encryptionContextSubset === undefined, c?.sourceArn ?? null]);
  return canonical(a) === canonical(b);
}

/** The earlier of two expiries, `undefined` meaning never. */
export function earlier(a: Date | undefined, b: Date | undefined): Date | undefined {
  return a === undefined ? b : b === undefined ? a : a.getTime() <= b.getTime() ? a : b;
}

/**
 * The expiry of a grant created under `parent`'s authority (DESIGN §7.8): the earlier of the requested
 * one and the parent's. A child requested without `ExpiresAt` under an expiring parent inherits the
 * parent's expiry rather than being refused, so that AWS SDK callers, which never send `ExpiresAt`, can
 * still delegate from a just-in-time grant.
 */
export function childExpiry(parent: GrantRecord | undefined, requested: Date | undefined): Date | undefined {
  return parent === undefined ? requested : earlier(requested, parent.expiresAt);
}

/**
 * Among the caller's grants that may delegate `child`, the one a new grant is made under: the one that
 * lasts longest (never expiring first), then the oldest.
 */
export function delegatingParent(candidates: readonly GrantRecord[], child: Pick<GrantRecord, 'operations' | 'constraints'>, now: Date): GrantRecord | undefined {
  const lasts = (g: GrantRecord) => g.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
  let best: GrantRecord | undefined;
  for (const g of candidates) {
    if (grantMayDelegate(g, child, now) && (best === undefined || lasts(g) > lasts(best))) best = g;
  }
  return best;
}

/**
 * The grants of one key that can still authorize something, each with the expiry of its whole chain:
 * a grant whose parent (or any ancestor) is missing from `grants` — retired or revoked — is dropped, and
 * a grant expires no later than any ancestor. Grants of one key always have their parents on the same
 * key, so `grants` must be all the grants of that key.
 */
export function liveGrants(grants: readonly GrantRecord[]): GrantRecord[] {
  const byId = new Map(grants.map((g) => [g.grantId, g]));
  const out: GrantRecord[] = [];
  for (const g of grants) {
    let expiresAt = g.expiresAt;
    let parentId = g.parentGrantId;
    let live = true;
    // A chain is at most as long as the key's grant list; a longer walk would be a cycle (corrupt data).
    for (let hops = 0; parentId !== undefined; hops++) {
      const parent = byId.get(parentId);
      if (parent === undefined || hops >= grants.length) {
        live = false;
        break;
      }
      expiresAt = earlier(expiresAt, parent.expiresAt);
      parentId = parent.parentGrantId;
    }
    if (live) out.push(expiresAt === g.expiresAt ? g : { ...g, expiresAt });
  }
  return out;
}

/** What the policy engine needs of a live grant (its constraints flattened). */
export function grantAllowance(g: GrantRecord): GrantAllowance {
  return {
    granteePrincipal: g.granteePrincipal,
    granteeId: g.granteePrincipalId,
    granteeServicePrincipal: g.granteeServicePrincipal,
    operations: g.operations,
    encryptionContextEquals: g.constraints?.encryptionContextEquals,
    encryptionContextSubset: g.constraints?.encryptionContextSubset,
    sourceArn: g.constraints?.sourceArn,
    expiresAt: g.expiresAt,
  };
}
