import type { ClientCertificate } from './client-certificate.js';
import type { Tag } from './key.js';

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
  /**
   * Temporary credentials (STS): the session the request was signed with. For an AssumedRole session,
   * `id` is the role's unique id (the role's identity policies apply) and `arn` the assumed-role ARN.
   */
  readonly session?: SessionInfo | undefined;
  /** The verified client certificate the request came with (mTLS), whether it or a signature authenticated it. */
  readonly clientCertificate?: ClientCertificate | undefined;
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


/**
 * The principals a stored policy names, resolved when it was stored (DESIGN §3, ADR 0009): each IAM user
 * or role ARN written in a `Principal`/`NotPrincipal` maps to the unique id of the principal that held
 * that ARN then, or to `null` when none did (the first principal later created with that ARN is bound to
 * it). A statement names the caller only if the ARN maps to the caller's own id, so a deleted and
 * recreated principal of the same name matches nothing the old one was given.
 */
export type PrincipalRefs = Readonly<Record<string, string | null>>;

/** An IAM user or role ARN (no wildcard): the principal references that resolve to a unique id. */
const PRINCIPAL_REFERENCE_RE = /^arn:aws[a-z-]*:iam::\d{12}:(user|role)\/[^*?]+$/;

/** Whether `arn` names an IAM user or role (account roots, `*`, wildcards and service principals do not). */
export function isPrincipalReference(arn: string): boolean {
  return PRINCIPAL_REFERENCE_RE.test(arn);
}

/** Whether `refs` binds `arn` to the principal with unique id `id`. */
export function refersTo(refs: PrincipalRefs, arn: string, id: string): boolean {
  return Object.hasOwn(refs, arn) && refs[arn] === id;
}

/** `AssumedRole`: AssumeRole's session of a role. `SessionToken`: GetSessionToken's session of the caller itself. */
export type SessionKind = 'AssumedRole' | 'SessionToken';

/** What an authenticated session carries: authorization and audit read it from the principal. */
export interface SessionInfo {
  readonly kind: SessionKind;
  readonly sessionName: string;
  /** The role's ARN (AssumedRole) or the caller's own ARN (SessionToken): CloudTrail's session issuer. */
  readonly issuerArn: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  readonly tags: readonly Tag[];
  readonly transitiveTagKeys: readonly string[];
  /** When MFA was proved for the session: `aws:MultiFactorAuthPresent` and `aws:MultiFactorAuthAge`. */
  readonly mfaAuthenticatedAt?: Date | undefined;
  /** The OIDC provider ARN of a web identity session (AssumeRoleWithWebIdentity): CloudTrail's `webIdFederationData`. */
  readonly federatedProvider?: string | undefined;
}

