import { sha256 } from '../crypto/hash.js';
import type { Realm } from './arn.js';
import type { Tag } from './key.js';
import type { PrincipalRefs, SessionKind } from './principal.js';

export type { SessionInfo, SessionKind } from './principal.js';
export type { MfaDeviceStore } from './mfa.js';

/**
 * Temporary credentials (issue 17, ADR 0018): what STS issues, what the store keeps of them, and what an
 * authenticated session carries into authorization and audit.
 */

/** AWS's session-duration bounds, in seconds. */
export const SESSION_LIMITS = {
  /** The shortest session any STS call issues. */
  minSeconds: 900,
  /** AssumeRole's default, and a role's default MaxSessionDuration. */
  assumeRoleDefaultSeconds: 3600,
  /** The largest MaxSessionDuration a role may have. */
  roleMaxSeconds: 43_200,
  /** GetSessionToken's default and maximum (12 hours and 36 hours). */
  sessionTokenDefaultSeconds: 43_200,
  sessionTokenMaxSeconds: 129_600,
} as const;

/** A stored session: the secret only wrapped (bound to the access key id), the token only as its SHA-256. */
export interface SessionRecord {
  /** `ASIA…`: the temporary access key id, the session's primary key. */
  readonly accessKeyId: string;
  /** The role (AssumedRole) or the caller (SessionToken) whose policies the session acts with. */
  readonly principalId: string;
  readonly kind: SessionKind;
  /** AssumeRole's RoleSessionName; GetSessionToken's sessions have none (''). */
  readonly sessionName: string;
  /** SHA-256 of the session token ({@link sessionTokenDigest}). */
  readonly tokenHash: Buffer;
  /** The secret access key wrapped under a domain key version ({@link sessionSecretBinding}). */
  readonly wrappedSecret: Buffer;
  readonly domainKeyVersion: number;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  /** Set by RevokeRoleSessions: the session works no more from this instant. */
  readonly revokedAt?: Date | undefined;
  /** Session tags (AssumeRole `Tags`): `aws:PrincipalTag/*` of the session, over the role's own tags. */
  readonly tags: readonly Tag[];
  /** The tag keys passed on to a chained role session. */
  readonly transitiveTagKeys: readonly string[];
  /** The ARN of whoever asked for the session (CloudTrail's `sourceIdentity` is not modelled). */
  readonly sourceArn: string;
  /** When the caller proved an MFA code to get the session (`aws:MultiFactorAuthAge` counts from it). */
  readonly mfaAuthenticatedAt?: Date | undefined;
}

/** A role's trust policy (`AssumeRolePolicyDocument`) and session settings. */
export interface RoleTrust {
  readonly roleId: string;
  /** The policy text as stored (validated when it was put). */
  readonly document: string;
  /** The IAM user and role ARNs the policy names, resolved to unique ids when it was put (ADR 0009). */
  readonly principals: PrincipalRefs;
  /** The longest session AssumeRole may issue for this role, 3600..43200 s. */
  readonly maxSessionDuration: number;
  readonly updatedAt: Date;
}

/** The digest under which a session token is stored and compared: the token itself is never stored. */
export function sessionTokenDigest(token: string | Uint8Array): Buffer {
  return sha256(token);
}

/** `arn:aws:sts::<account>:assumed-role/<role>/<session>`: an AssumeRole session's principal ARN. */
export function assumedRoleArn(realm: Realm, roleName: string, sessionName: string): string {
  return `arn:${realm.partition}:sts::${realm.account}:assumed-role/${roleName}/${sessionName}`;
}

/** The role ARN an assumed-role ARN belongs to, or undefined when `arn` is not one. */
export function roleArnOfSession(arn: string): string | undefined {
  const m = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(arn);
  return m === null ? undefined : `arn:${m[1]}:iam::${m[2]}:role/${m[3]}`;
}

/** Roles' trust policies and the sessions STS issued: the part of the PrincipalStore port issue 17 added. */
export interface RoleSessionStore {
  /** A role's trust policy and session settings; undefined when it has none (not a role, or never set). */
  getRoleTrust(roleId: string): Promise<RoleTrust | undefined>;
  /** Creates or replaces a role's trust policy and session settings. */
  putRoleTrust(trust: RoleTrust): Promise<void>;
  /** Stores a new session (temporary credentials). A taken access key id rejects, changing nothing. */
  createSession(session: SessionRecord): Promise<void>;
  /** The session of a temporary access key id, revoked and expired ones included (the caller decides). */
  getSession(accessKeyId: string): Promise<SessionRecord | undefined>;
  /**
   * Marks revoked at `at` every session of the principal issued at or before `at` and not yet revoked;
   * answers how many. Sessions issued later are untouched.
   */
  revokeSessions(principalId: string, at: Date): Promise<number>;
  /** Removes the sessions that expired before `before`; answers how many. */
  deleteExpiredSessions(before: Date): Promise<number>;
}

/**
 * Per-session posture attributes (`arca:DevicePosture`, `arca:RiskScore`): condition keys of their own
 * name. They come from a principal's tags (set by an administrator) or from a web identity token's signed
 * claims, carried as session tags; a caller can never set them as session tags of its own ({@link reservedTagKey}).
 */
export const POSTURE_KEYS: readonly string[] = ['arca:DevicePosture', 'arca:RiskScore'];

/** Whether a session tag key is reserved (`aws:` by AWS, `arca:` by Arca): callers of AssumeRole cannot set one. */
export function reservedTagKey(key: string): boolean {
  return /^(aws|arca):/i.test(key);
}

/** `arn:aws:iam::<account>:oidc-provider/<provider>`: a web identity session's source, as CloudTrail's `federatedProvider`. */
export function oidcProviderArn(realm: Realm, provider: string): string {
  return `arn:${realm.partition}:iam::${realm.account}:oidc-provider/${provider}`;
}

/** The OIDC provider a session's source ARN names, or undefined when the session was not issued to a web identity. */
export function federatedProviderOf(sourceArn: string): string | undefined {
  return /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/.+$/.test(sourceArn) ? sourceArn : undefined;
}
