import { encodeFields } from '../crypto/encoding.js';

/** Who is calling. Created by an authenticator, read by authorization and audit. */
export type PrincipalType = 'user' | 'role' | 'service';

export interface Principal {
  readonly id: string;
  readonly type: PrincipalType;
  readonly name: string;
  readonly arn: string;
  readonly account: string;
  /** The access key that signed the request, if any. */
  readonly accessKeyId?: string | undefined;
}

export interface PrincipalRecord {
  readonly id: string;
  readonly type: PrincipalType;
  readonly name: string;
  readonly arn: string;
  readonly createdAt: Date;
}

export type AccessKeyStatus = 'Active' | 'Inactive';

export interface AccessKeyRecord {
  readonly accessKeyId: string;
  readonly principalId: string;
  readonly status: AccessKeyStatus;
  /** The secret access key, wrapped under a domain key version; never stored in plaintext. */
  readonly wrappedSecret: Buffer;
  readonly domainKeyVersion: number;
  readonly createdAt: Date;
}

/** The AAD binding an access key's wrapped secret to its id, so a secret copied to another row does not unwrap. */
export function accessKeySecretBinding(accessKeyId: string): Buffer {
  return encodeFields(['arca.access-key-secret.v1', accessKeyId]);
}
