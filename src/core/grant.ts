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
}

export interface GrantRecord {
  /** 64 hex characters, as AWS's grant ids. */
  readonly grantId: string;
  readonly keyId: string;
  readonly name: string | undefined;
  readonly granteePrincipal: string;
  readonly retiringPrincipal: string | undefined;
  /** The principal ARN that created the grant. */
  readonly issuingPrincipal: string;
  readonly operations: readonly GrantOperation[];
  readonly constraints: GrantConstraints | undefined;
  readonly createdAt: Date;
  /** Arca extension (just-in-time access): after this instant the grant authorizes nothing. */
  readonly expiresAt: Date | undefined;
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
  const canonical = (c: GrantConstraints | undefined) =>
    JSON.stringify([Object.entries(c?.encryptionContextEquals ?? {}).sort(), Object.entries(c?.encryptionContextSubset ?? {}).sort(), c?.encryptionContextEquals === undefined, c?.encryptionContextSubset === undefined]);
  return canonical(parent.constraints) === canonical(child.constraints);
}
