import type { GrantOperation } from '../../core/grant.js';
import type { ExpirationModel, WrappingAlgorithm, WrappingKeySpec } from '../../core/key-import.js';
import type { KeySpec, KeyState, KeyUsage, Origin } from '../../core/key.js';
import type { RotationType } from '../../core/lifecycle.js';
import type { SealRecord } from '../../core/ports.js';
import type { AccessKeyStatus, PrincipalType, SessionKind } from '../../core/principal.js';
import type { MemoryDatabase } from './memory-database.js';

/**
 * The tables of the memory store and their rows, shaped like the SQLite columns (times in epoch
 * milliseconds, buffers copied in and out) so that a caller never holds a reference into a stored row.
 * Rows are frozen and replaced, never mutated (MemoryDatabase's rollback depends on it).
 */
export interface KeyRow {
  readonly id: string;
  readonly region: string;
  readonly primaryRegion: string | null;
  readonly seq: number;
  readonly createdAt: number;
  readonly description: string;
  readonly keySpec: KeySpec;
  readonly keyUsage: KeyUsage;
  readonly origin: Origin;
  readonly state: KeyState;
  readonly primaryVersion: number;
  readonly deletionDate: number | null;
  readonly policy: string;
  /** Set when the key was destroyed: the row stays as a tombstone. */
  readonly destroyedAt: number | null;
}

export interface KeyVersionRow {
  readonly keyId: string;
  readonly version: number;
  readonly domainKeyVersion: number;
  readonly wrappedMaterial: Buffer;
  readonly createdAt: number;
  readonly rotationType: RotationType | null;
}

export interface AliasRow {
  readonly region: string;
  readonly name: string;
  readonly keyId: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface TagRow {
  readonly owner: string;
  readonly key: string;
  readonly value: string;
}

export interface PolicyPrincipalRow {
  readonly keyId: string;
  readonly arn: string;
  readonly principalId: string | null;
}

export interface RotationRow {
  readonly keyId: string;
  readonly enabled: boolean;
  readonly periodDays: number;
  readonly nextRotationAt: number | null;
}

export interface DestructionRow {
  readonly keyId: string;
  readonly versions: readonly number[];
  readonly destroyedAt: number;
}

export interface PrincipalRow {
  readonly id: string;
  readonly type: PrincipalType;
  readonly name: string;
  readonly arn: string;
  readonly createdAt: number;
}

export interface AccessKeyRow {
  readonly accessKeyId: string;
  readonly principalId: string;
  readonly status: AccessKeyStatus;
  readonly wrappedSecret: Buffer;
  readonly domainKeyVersion: number;
  readonly createdAt: number;
}

export interface PrincipalPolicyRow {
  readonly principalId: string;
  readonly name: string;
  readonly document: string;
  readonly updatedAt: number;
}

/** A role's trust policy; `principals` is JSON text, as SQLite keeps it. */
export interface RoleTrustRow {
  readonly roleId: string;
  readonly document: string;
  readonly principals: string;
  readonly maxSessionDuration: number;
  readonly updatedAt: number;
}

/** An STS session; `tags` and `transitiveTagKeys` are JSON text, as SQLite keeps them. */
export interface SessionRow {
  readonly accessKeyId: string;
  readonly principalId: string;
  readonly kind: SessionKind;
  readonly sessionName: string;
  readonly tokenHash: Buffer;
  readonly wrappedSecret: Buffer;
  readonly domainKeyVersion: number;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly revokedAt: number | null;
  readonly tags: string;
  readonly transitiveTagKeys: string;
  readonly sourceArn: string;
  readonly mfaAuthenticatedAt: number | null;
}

/** A principal's virtual MFA device (issue 17): the TOTP seed wrapped, the last accepted time step. */
export interface MfaDeviceRow {
  readonly principalId: string;
  readonly serialNumber: string;
  readonly wrappedSecret: Buffer;
  readonly domainKeyVersion: number;
  readonly createdAt: number;
  readonly lastTimeStep: number;
}

/** A custom key store (ADR 0024): settings as the JSON of the SQL engines' `settings` column. */
export interface CustomKeyStoreRow {
  readonly id: string;
  readonly region: string;
  readonly name: string;
  readonly type: string;
  readonly createdAt: number;
  readonly connect: boolean;
  readonly settings: string;
  readonly domainKeyVersion: number;
  readonly wrappedSecret: Buffer;
}

export interface CustomKeyStoreKeyRow {
  readonly keyId: string;
  readonly storeId: string;
  readonly externalKeyId: string;
}

export interface GrantRow {
  readonly grantId: string;
  readonly seq: number;
  readonly keyId: string;
  readonly name: string | null;
  readonly granteePrincipal: string;
  readonly granteePrincipalId: string | null;
  readonly retiringPrincipal: string | null;
  readonly retiringPrincipalId: string | null;
  readonly granteeServicePrincipal: string | null;
  readonly retiringServicePrincipal: string | null;
  readonly issuingPrincipal: string;
  readonly operations: readonly GrantOperation[];
  /** JSON text, as SQLite keeps it: a read returns a fresh copy. */
  readonly constraints: string | null;
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly parentGrantId: string | null;
}

/** An approval rule (issue 18); `operations`, `keys` and `approvers` are JSON text, as SQLite keeps them. */
export interface ApprovalRuleRow {
  readonly name: string;
  readonly operations: string;
  readonly keys: string;
  readonly approvers: string;
  readonly quorum: number;
  readonly requireMfa: boolean;
  readonly executor: string;
  readonly expiresAfterSeconds: number;
  readonly description: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** An approval request (issue 18); `summary`, `keyArns` and `decisions` are JSON text, as SQLite keeps them. */
export interface ApprovalRequestRow {
  readonly approvalId: string;
  readonly ruleName: string;
  readonly operation: string;
  readonly input: string;
  readonly summary: string;
  readonly keyArns: string;
  readonly requesterArn: string;
  readonly requesterId: string;
  readonly reason: string;
  readonly status: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly decisions: string;
  readonly executedAt: number | null;
  readonly executorArn: string | null;
}

export interface ImportTokenRow {
  readonly tokenId: string;
  readonly keyId: string;
  readonly wrappingKeySpec: WrappingKeySpec;
  readonly wrappingAlgorithm: WrappingAlgorithm;
  readonly domainKeyVersion: number;
  readonly wrappedPrivateKey: Buffer;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly usedAt: number | null;
}

export interface KeyImportRow {
  readonly keyId: string;
  readonly version: number;
  readonly fingerprint: Buffer;
  readonly expirationModel: ExpirationModel;
  readonly validTo: number | null;
  readonly importedAt: number;
  readonly description: string | null;
  readonly rotatedAt: number | null;
}

export interface SealRow {
  readonly kind: SealRecord['kind'];
  readonly shares: number;
  readonly threshold: number;
  readonly shareSetId: Buffer;
  readonly wrappedRoot: Buffer;
  readonly initializedAt: number;
}

/**
 * The audit signing key's row (one, id '1'). The memory audit adapters own it; the rewrap store reads
 * and rewraps it, as SqliteRewrapStore does `audit_signing_keys`.
 */
export interface AuditSigningKeyRow {
  readonly publicKey: Buffer;
  readonly domainKeyVersion: number;
  readonly wrapped: Buffer;
}

/** Every table of the memory store, typed; primary keys are strings (compound keys joined by {@link pk}). */
export function tables(db: MemoryDatabase) {
  return {
    domainKeys: db.table<{ readonly version: number; readonly wrapped: Buffer }>('domain_keys'),
    keys: db.table<KeyRow>('keys'),
    keyVersions: db.table<KeyVersionRow>('key_versions'),
    aliases: db.table<AliasRow>('aliases'),
    tags: db.table<TagRow>('tags'),
    policyPrincipals: db.table<PolicyPrincipalRow>('key_policy_principals'),
    rotation: db.table<RotationRow>('key_rotation'),
    destructions: db.table<DestructionRow>('key_destructions'),
    principals: db.table<PrincipalRow>('principals'),
    accessKeys: db.table<AccessKeyRow>('access_keys'),
    principalTags: db.table<TagRow>('principal_tags'),
    principalPolicies: db.table<PrincipalPolicyRow>('principal_policies'),
    roleTrust: db.table<RoleTrustRow>('role_trust'),
    sessions: db.table<SessionRow>('sts_sessions'),
    mfaDevices: db.table<MfaDeviceRow>('mfa_devices'),
    grants: db.table<GrantRow>('grants'),
    approvalRules: db.table<ApprovalRuleRow>('approval_rules'),
    approvalRequests: db.table<ApprovalRequestRow>('approval_requests'),
    importTokens: db.table<ImportTokenRow>('import_tokens'),
    keyImports: db.table<KeyImportRow>('key_imports'),
    seal: db.table<SealRow>('seal_config'),
    auditSigningKeys: db.table<AuditSigningKeyRow>('audit_signing_keys'),
    customKeyStores: db.table<CustomKeyStoreRow>('custom_key_stores'),
    customKeyStoreKeys: db.table<CustomKeyStoreKeyRow>('custom_key_store_keys'),
  };
}

export type Tables = ReturnType<typeof tables>;

/** A compound primary key. NUL cannot occur in the ids and names it joins. */
export const pk = (...parts: readonly (string | number)[]): string => parts.join('\u0000');

/** Stores `row` frozen under `key`, replacing any row there. */
export function put<Row extends object>(table: Map<string, Row>, key: string, row: Row): void {
  table.set(key, Object.freeze(row));
}

/** Rows of `table` matching `where`, in insertion order. */
export function rows<Row>(table: Map<string, Row>, where: (row: Row) => boolean = () => true): Row[] {
  const out: Row[] = [];
  for (const r of table.values()) if (where(r)) out.push(r);
  return out;
}

/** Deletes the rows of `table` matching `where`; returns how many. */
export function deleteWhere<Row>(table: Map<string, Row>, where: (row: Row) => boolean): number {
  let n = 0;
  for (const [k, r] of table) if (where(r)) (table.delete(k), n++);
  return n;
}

/** Byte order of two strings, as SQLite's default BINARY collation compares TEXT. */
export function byBinary(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** A copy of `b`: stored buffers are never shared with a caller. */
export const copy = (b: Uint8Array): Buffer => Buffer.from(b);

/**
 * Runs a store method's changes atomically, as one SQLite statement or transaction would: a throw undoes
 * every change it made (a savepoint when a unit of work is open).
 */
export function atomic<T>(db: MemoryDatabase, work: () => T): T {
  db.begin();
  try {
    const result = work();
    db.commit();
    return result;
  } catch (e) {
    db.rollback();
    throw e;
  }
}

/** The "FOREIGN KEY constraint failed" of SQLite, for a row naming a parent that does not exist. */
export function requireParent(exists: boolean, what: string): void {
  if (!exists) throw new Error(`memory store: FOREIGN KEY constraint failed (${what})`);
}

/** SQLite's UNIQUE/PRIMARY KEY constraint failure, for a row whose key is taken. */
export function requireUnique(taken: boolean, what: string): void {
  if (taken) throw new Error(`memory store: UNIQUE constraint failed (${what})`);
}
