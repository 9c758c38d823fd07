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
