import type { CustomKeyStoreStore } from '../../core/custom-key-stores.js';
import type { ApprovalStore } from '../../core/approval.js';
import type { GrantRecord } from '../../core/grant.js';
import type { KeyImportStore } from '../../core/key-import.js';
import type { KeyRecord, StoredKeyVersion } from '../../core/key.js';
import type { AuditSigningKeyStore, GrantStore, KeyLifecycleStore, KeyStore, PrincipalStore, RewrapStore, SealStore } from '../../core/ports.js';
import type { AccessKeyRecord, PrincipalRecord } from '../../core/principal.js';

/**
 * What a contract suite is given: one adapter per domain port, all over one fresh, empty store, and a way
 * to run work in one transaction of that store (the engine's own: the UnitOfWork port is not used here,
 * so that the suites do not depend on it).
 */
export interface StoreFixture {
  readonly keys: KeyStore;
  /** The key reads of authorization (SqliteKeyFacts and its peers). */
  readonly keyFacts: Pick<KeyStore, 'listTags' | 'listAliases' | 'getPolicyPrincipals'>;
  readonly lifecycle: KeyLifecycleStore;
  readonly principals: PrincipalStore;
  readonly grants: GrantStore;
  readonly imports: KeyImportStore;
  readonly seal: SealStore;
  readonly rewrap: RewrapStore;
  readonly approvals: ApprovalStore;
  /** Custom key stores and their key links (ADR 0024). */
  readonly customKeyStores: CustomKeyStoreStore;
  /** The audit signing key of the store's (or one node's) audit trail: a secret the rewrap store must cover. */
  readonly auditSigningKeys: AuditSigningKeyStore;
  /** Runs `work` in one transaction: committed if it resolves, rolled back (every change undone) if it rejects. */
  withTransaction<T>(work: () => Promise<T>): Promise<T>;
  close(): void;
}

/** Opens a fresh, empty store (a new migrated SQLite database, a new MemoryDatabase, ...). */
export type StoreFactory = () => StoreFixture | Promise<StoreFixture>;

/** Runs `test` over a fresh store with domain key version 1 (key material rows need one), closing it after. */
export function withStore(factory: StoreFactory, test: (s: StoreFixture) => Promise<void>): () => Promise<void> {
  return async () => {
    const s = await factory();
    try {
      await s.keys.addDomainKey(1, Buffer.from('domain-key-1'));
      await test(s);
    } finally {
      s.close();
    }
  };
}

export const T0 = new Date('2026-01-01T00:00:00Z');
export const DAY = 86_400_000;
export const at = (days: number): Date => new Date(T0.getTime() + days * DAY);
export const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
/** The region of the fixture's keys and aliases (ADR 0022). */
export const REGION = 'us-east-1';
/** A key id that sorts by its number: `keyId(2)` > `keyId(1)` as text too. */
export const keyId = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
export const userArn = (name: string): string => `arn:aws:iam::111122223333:user/${name}`;
export const grantId = (c: string): string => c.repeat(64).slice(0, 64);

export function keyRecord(over: Partial<KeyRecord> = {}): KeyRecord {
  return {
    id: KEY,
    region: REGION,
    createdAt: T0,
    description: 'a key',
    keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT',
    origin: 'AWS_KMS',
    state: 'Enabled',
    primaryVersion: 1,
    deletionDate: undefined,
    policy: '{"Version":"2012-10-17","Statement":[]}',
    ...over,
  };
}

export function keyVersion(id: string, version: number, over: Partial<StoredKeyVersion> = {}): StoredKeyVersion {
  return { keyId: id, version, domainKeyVersion: 1, wrappedMaterial: Buffer.from(`material-${id}-${version}`), createdAt: at(version - 1), ...over };
}

/** Creates an Enabled key with version 1 (and the given tags). */
export async function createKey(s: StoreFixture, id = KEY, over: Partial<KeyRecord> = {}, tags: { key: string; value: string }[] = []): Promise<KeyRecord> {
  const k = keyRecord({ id, ...over });
  await s.keys.createKey(k, keyVersion(id, 1), tags);
  return k;
}

export function principalRecord(name: string, id = `AIDA${name.toUpperCase()}`): PrincipalRecord {
  return { id, type: 'user', name, arn: userArn(name), createdAt: T0 };
}

export function accessKeyRecord(accessKeyId: string, principalId: string, over: Partial<AccessKeyRecord> = {}): AccessKeyRecord {
  return { accessKeyId, principalId, status: 'Active', wrappedSecret: Buffer.from(`secret-${accessKeyId}`), domainKeyVersion: 1, createdAt: T0, ...over };
}

export function grantRecord(over: Partial<GrantRecord> = {}): GrantRecord {
  return {
    grantId: grantId('a'),
    keyId: KEY,
    name: undefined,
    granteePrincipal: userArn('alice'),
    granteePrincipalId: undefined,
    retiringPrincipal: undefined,
    retiringPrincipalId: undefined,
    granteeServicePrincipal: undefined,
    retiringServicePrincipal: undefined,
    issuingPrincipal: userArn('admin'),
    operations: ['Decrypt', 'CreateGrant'],
    constraints: undefined,
    createdAt: T0,
    expiresAt: undefined,
    parentGrantId: undefined,
    ...over,
  };
}

/** A rejection whatever its error (adapters report a broken constraint in their engine's words). */
export const anyError = (): true => true;
