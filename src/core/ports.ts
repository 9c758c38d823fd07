import type { SecretBytes } from '../crypto/secret-bytes.js';
import type { AuditEvent, AuditPosition, TreeHead } from './audit.js';
import type { GrantRecord } from './grant.js';
import type { AliasRecord, KeyRecord, StoredKeyVersion, Tag } from './key.js';
import type { DestructionRecord, KeyVersionInfo, RotationSettings, RotationType } from './lifecycle.js';
import type { AccessKeyRecord, PrincipalRecord, PrincipalRefs } from './principal.js';
import type { UnitTx } from './unit-of-work.js';
import type { MfaDeviceStore, RoleSessionStore } from './session.js';

/** Time, injected so that tests can move it. */
export interface Clock {
  now(): Date;
}

export type { Logger } from './logger.js';

/** What `/readyz` reports of the storage. */
export interface StorageStatus {
  readonly healthy: boolean;
  /** ISO time of the first failure of the current failing period. */
  readonly failingSince?: string;
}

/**
 * The health of the storage every request needs (the database and the audit trail). The audit writer
 * reports each commit's outcome; readiness (`/readyz`) and the pipeline's error reporting read it.
 */
export interface StorageHealth {
  /** Records `e` if it is a failure of the storage itself (disk full, I/O error); returns whether it is one. */
  noteFailure(e: unknown): boolean;
  /** A write reached stable storage: the storage works (again). */
  noteSuccess(): void;
  readonly status: StorageStatus;
}

/** A page of results and where the next one starts. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly next?: string | undefined;
}

/** Keys, their versions, aliases and tags. Each method is atomic: a failure changes nothing. */
export interface KeyStore {
  /**
   * Stores a key with its first version of material, or with none (an EXTERNAL key awaiting import).
   * A taken key id (or a repeated tag key) rejects with the engine's constraint error, not a KmsError.
   */
  createKey(key: KeyRecord, firstVersion: StoredKeyVersion | undefined, tags: readonly Tag[]): Promise<void>;
  getKey(keyId: string): Promise<KeyRecord | undefined>;
  /**
   * Keys ordered by creation, `limit` at most, starting after the cursor `after` (a key id; a destroyed
   * key's id stays a valid cursor). An unknown cursor fails with InvalidMarker.
   */
  listKeys(region: string, after: string | undefined, limit: number): Promise<Page<KeyRecord>>;
  /** Changes only the members given; an unknown key is ignored. */
  updateKey(keyId: string, change: Partial<Pick<KeyRecord, 'description' | 'state' | 'policy'>>): Promise<void>;
  /** The principals the key's policy names, as resolved when it was stored (ADR 0009); `{}` when none. */
  getPolicyPrincipals(keyId: string): Promise<PrincipalRefs>;
  /** Replaces the key policy's resolved principals (with the policy, in the same unit of work). */
  putPolicyPrincipals(keyId: string, refs: PrincipalRefs): Promise<void>;
  getKeyVersion(keyId: string, version: number): Promise<StoredKeyVersion | undefined>;
  /** The live regional keys of multi-Region key `wireId` (ADR 0022), ordered by region; [] for any other id. */
  listRelatedKeys(wireId: string): Promise<readonly KeyRecord[]>;
  /** Makes `region` the primary region of every regional key of multi-Region key `wireId`. */
  setPrimaryRegion(wireId: string, region: string): Promise<void>;
  /** Copies every stored version of key `fromKeyId` to key `toKeyId` (a new replica of a multi-Region key). */
  copyVersions(fromKeyId: string, toKeyId: string): Promise<void>;

  getAlias(region: string, name: string): Promise<AliasRecord | undefined>;
  /** Fails with AlreadyExists if the name is taken in the alias's region. */
  createAlias(alias: AliasRecord): Promise<void>;
  /** Points the alias at `keyId`, keeping its creation date; an unknown name is ignored (as by deleteAlias). */
  updateAlias(region: string, name: string, keyId: string, at: Date): Promise<void>;
  deleteAlias(region: string, name: string): Promise<void>;
  /**
   * Aliases of one key, or of every key, ordered by name (byte order), `limit` at most, with names after
   * `after` (a position: it need not be an alias). The store sets no quota: CreateAlias enforces 50 per key.
   */
  listAliases(region: string, keyId: string | undefined, after: string | undefined, limit: number): Promise<Page<AliasRecord>>;

  /** A key's tags ordered by tag key (a destroyed key's tags stay with its tombstone). */
  listTags(keyId: string): Promise<readonly Tag[]>;
  /** Replaces the values of existing tag keys and adds the others. */
  putTags(keyId: string, tags: readonly Tag[]): Promise<void>;
  removeTags(keyId: string, tagKeys: readonly string[]): Promise<void>;

  /** Domain key versions, wrapped under the root of trust, oldest first. */
  listDomainKeys(): Promise<readonly { version: number; wrapped: Buffer }[]>;
  addDomainKey(version: number, wrapped: Buffer): Promise<void>;
}

/**
 * Versions, rotation settings, deletion schedules and crypto-shredding (docs/key-lifecycle.md). Every
 * method is atomic; the ones a scheduler runs are also idempotent, so that a job interrupted at any point
 * and run again neither rotates twice nor leaves a key half destroyed.
 */
export interface KeyLifecycleStore {
  getRotation(keyId: string): Promise<RotationSettings | undefined>;
  setRotation(keyId: string, settings: RotationSettings): Promise<void>;
  /** Every version of a key that still has material, oldest first. */
  listVersions(keyId: string): Promise<readonly KeyVersionInfo[]>;
  /**
   * Adds `version` (which must be `expectedPrimary + 1`) and makes it primary, in one transaction with
   * the next automatic rotation date when given. Returns false and changes nothing when the key's primary
   * version is no longer `expectedPrimary` (another run rotated it first) or the key is gone.
   */
  addVersion(version: StoredKeyVersion, rotationType: RotationType, expectedPrimary: number, nextRotationAt?: Date): Promise<boolean>;
  /** State PendingDeletion with a deletion date. */
  scheduleDeletion(keyId: string, deletionDate: Date): Promise<void>;
  /** State Disabled, deletion date cleared. */
  cancelDeletion(keyId: string): Promise<void>;
  /** Ids of Enabled keys with rotation enabled whose next rotation is at or before `now`. */
  dueRotations(now: Date): Promise<readonly string[]>;
  /** Ids of keys pending deletion whose deletion date is at or before `now`. */
  dueDeletions(now: Date): Promise<readonly string[]>;
  /**
   * Crypto-shreds a key whose deletion is due at `now`: deletes the wrapped material of every version,
   * its aliases and rotation settings, and leaves its metadata as a tombstone (getKey no longer finds it)
   * with a destruction record, in one transaction. The caller then calls {@link scrub} so that the deleted
   * bytes are gone from the storage files. Returns undefined, changing nothing, when the key is not
   * pending deletion or not yet due.
   */
  destroyKey(keyId: string, now: Date): Promise<DestructionRecord | undefined>;
  getDestruction(keyId: string): Promise<DestructionRecord | undefined>;
  /**
   * Makes the storage files forget deleted rows: after every destruction, and at start-up for a
   * destruction interrupted between its commit and its scrub.
   */
  scrub(): Promise<void>;
}

/**
 * Caches of stored rows the requests read. `refresh` at the start of each request makes them show every
 * change committed before it (see the SQLite store's read cache).
 */
export interface ReadFreshness {
  refresh(): void;
}

/**
 * Principals, their access keys, tags and identity policies (authentication reads the first two; issue 4
 * added the rest), and roles' trust policies and STS sessions (issue 17). Each method is atomic.
 */
export interface PrincipalStore extends RoleSessionStore, MfaDeviceStore {
  getPrincipal(id: string): Promise<PrincipalRecord | undefined>;
  findPrincipalByName(name: string): Promise<PrincipalRecord | undefined>;
  /**
   * Stores a new principal and binds to its id the stored references to its ARN that no principal held
   * yet (key-policy principals and grantees or retiring principals resolved to `null`, ADR 0009). A taken
   * name or id rejects (the engine's constraint error), changing nothing.
   */
  createPrincipal(principal: PrincipalRecord): Promise<void>;
  /** Principals ordered by name (byte order), `limit` at most; the cursor is a name. */
  listPrincipals(after: string | undefined, limit: number): Promise<Page<PrincipalRecord>>;
  /** Removes the principal with its access keys, tags, policies, trust policy, sessions and MFA device. */
  deletePrincipal(id: string): Promise<void>;
  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  createAccessKey(key: AccessKeyRecord): Promise<void>;
  /** A principal's access keys, oldest first. */
  listAccessKeys(principalId: string): Promise<readonly AccessKeyRecord[]>;
  updateAccessKeyStatus(accessKeyId: string, status: AccessKeyRecord['status']): Promise<void>;
  deleteAccessKey(accessKeyId: string): Promise<void>;
  listPrincipalTags(id: string): Promise<readonly Tag[]>;
  putPrincipalTags(id: string, tags: readonly Tag[]): Promise<void>;
  removePrincipalTags(id: string, tagKeys: readonly string[]): Promise<void>;
  listPrincipalPolicies(id: string): Promise<readonly StoredPrincipalPolicy[]>;
  putPrincipalPolicy(id: string, name: string, document: string, at: Date): Promise<void>;
  /** False when the principal has no policy of that name. */
  deletePrincipalPolicy(id: string, name: string): Promise<boolean>;
}

/** Where audit events go. `append` resolves only once the event is durable. */
export interface AuditLog {
  append(event: AuditEvent): Promise<void>;
  /**
   * Runs a mutating request so that its store changes and its audit event become durable together or
   * not at all: `work` runs inside one unit of work (one store transaction) and returns the event to
   * record; with `keep: false` its store changes are rolled back but the event is still recorded. Rejects
   * (and changes nothing) when the event cannot be made durable. Calls are serialized; `work` must not
   * wait for an `append` (that append commits after the unit).
   */
  runAudited(work: (tx: UnitTx) => Promise<{ readonly event: AuditEvent; readonly keep: boolean }>): Promise<void>;
}

/** Filters for reading the audit trail; every one is optional and they combine with AND. */
export interface AuditQuery {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly keyArn?: string | undefined;
  readonly principalArn?: string | undefined;
  readonly eventName?: string | undefined;
  readonly outcome?: 'success' | 'failure' | undefined;
  readonly errorCode?: string | undefined;
  readonly sourceIp?: string | undefined;
}

/** One position of the trail: its leaf hash, and its event unless retention pruned it. */
export interface AuditEntry {
  readonly sequence: number;
  readonly leafHash: string;
  readonly event?: AuditEvent | undefined;
}

/** The read side of the audit trail: queries, tree heads and the material for proofs. */
export interface AuditTrail {
  /** Events matching `query`, newest first, `limit` at most, starting below the sequence cursor `before`. */
  queryEvents(query: AuditQuery, before: number | undefined, limit: number): Promise<Page<AuditEvent>>;
  /** Events matching `query` strictly below `before` in (eventTime, sequence) order, newest first, `limit` at most. */
  eventsBefore(query: AuditQuery, before: AuditPosition | undefined, limit: number): Promise<readonly AuditEvent[]>;
  /** The trail's entries with sequence in [from, to], oldest first; a pruned entry (retention) has no event. */
  entriesInRange(from: number, to: number): Promise<readonly AuditEntry[]>;
  getEvent(eventId: string): Promise<AuditEvent | undefined>;
  /** The leaf hash of the event at `sequence` (pruned events keep theirs); undefined past the end. */
  leafHash(sequence: number): Promise<Buffer | undefined>;
  /** RFC 9162 inclusion proof of the event at `sequence` in the tree of the first `treeSize` events; O(log n) reads. */
  inclusionProof(sequence: number, treeSize: number): Promise<readonly Buffer[]>;
  /** RFC 9162 consistency proof between the trees of the first `first` and `second` events; O(log n) reads. */
  consistencyProof(first: number, second: number): Promise<readonly Buffer[]>;
  /**
   * The latest tree head (signing one now if events are not covered yet) as a C2SP signed-note
   * checkpoint; undefined when there is no head, or it predates checkpoint signatures and the key is sealed.
   */
  checkpointNote(): Promise<{ readonly treeHead: TreeHead; readonly note: string } | undefined>;
  /** Signed tree heads, oldest first. */
  treeHeads(): Promise<readonly TreeHead[]>;
  /** The newest signed tree head, if any. */
  latestTreeHead(): Promise<TreeHead | undefined>;
  /** Signs a tree head over every committed event now, if any is not covered yet; returns the latest head. */
  checkpoint(): Promise<TreeHead | undefined>;
  /** The tree head of exactly `treeSize` events, if one was signed. */
  treeHead(treeSize: number): Promise<TreeHead | undefined>;
  /** The trail's id (every event's `arca.chainId`). */
  chainId(): string;
  /** The Ed25519 public key (raw 32 bytes) that signs the tree heads. */
  publicKey(): Buffer;
  /** Signs `message` with the audit signing key (Ed25519); undefined while the key is not loaded (sealed). */
  signStatement(message: Uint8Array): Buffer | undefined;
  /** The latest successful use of a key by a cryptographic operation. */
  lastUsage(keyArn: string): Promise<{ readonly eventTime: string; readonly eventName: string; readonly eventId: string; readonly requestId: string } | undefined>;
  /** When the trail began (its first event), if it has any. */
  trackingStart(): Promise<string | undefined>;
}

/** Where the tree-head signing key lives, wrapped under the domain keys. */
export interface AuditSigningKeyStore {
  getSigningKey(): Promise<{ readonly publicKey: Buffer; readonly wrapped: WrappedSecret } | undefined>;
  putSigningKey(publicKey: Buffer, wrapped: WrappedSecret): Promise<void>;
}

/** Signs tree heads. */
export interface TreeHeadSigner {
  readonly publicKey: Buffer;
  sign(message: Uint8Array): Buffer;
}

/**
 * The root of trust: wraps and unwraps domain keys. Implementations keep the root key itself out of
 * reach (a dev file, Shamir-sealed memory, or an HSM). While sealed, both calls fail with `Sealed`.
 */
export interface RootOfTrust {
  readonly kind: 'insecure-dev-file' | 'shamir' | 'pkcs11';
  isSealed(): boolean;
  wrap(domainKey: SecretBytes, binding: Uint8Array): Promise<Buffer>;
  unwrap(wrapped: Uint8Array, binding: Uint8Array): Promise<SecretBytes>;
}

/**
 * What a sealed root of trust persists about itself (migration 0002-sealing): the share-set parameters
 * and, for the Shamir root, the root key wrapped under the unseal key. Never the root key in plaintext.
 */
export interface SealRecord {
  readonly kind: 'shamir' | 'pkcs11';
  readonly shares: number;
  readonly threshold: number;
  readonly shareSetId: Buffer;
  /** The root key wrapped (AES-256-GCM) under the unseal key; empty for an HSM root. */
  readonly wrappedRoot: Buffer;
  readonly initializedAt: Date;
}

export interface SealStore {
  getSealRecord(): Promise<SealRecord | undefined>;
  /** Creates or replaces the one record (initialize, rekey), atomically. */
  /**
   * Creates (`replacing` undefined: only if there is none) or replaces (only the record of share set
   * `replacing`) the seal record; false when another writer got there first (a cluster's other node
   * initialized or rekeyed meanwhile), and then nothing was written.
   */
  putSealRecord(record: SealRecord, replacing: Buffer | undefined): Promise<boolean>;
}

/** What `GetSealStatus` reports. Public: no secret, no share. */
export interface SealStatus {
  readonly kind: RootOfTrust['kind'];
  readonly initialized: boolean;
  readonly sealed: boolean;
  /** Shares needed to unseal (0 when the root needs none, e.g. an HSM). */
  readonly threshold: number;
  readonly shares: number;
  /** Shares accepted so far towards the current unseal. */
  readonly progress: number;
  /** Hex id of the current share set, so custodians can tell which set their share belongs to. */
  readonly shareSetId?: string | undefined;
  /** Why a root that unseals itself is sealed (HSM unreachable, PIN rejected); never secret. */
  readonly reason?: string | undefined;
}

/**
 * A root of trust that starts sealed and is initialized, unsealed, sealed and rekeyed by operators.
 * Bad shares throw a KmsError and reset the unseal progress; nothing here trusts an unverified combine.
 */
export interface SealableRoot extends RootOfTrust {
  status(): SealStatus;
  /** Creates the root (only while uninitialized) and returns the custodians' shares; leaves it unsealed. */
  initialize(shares: number, threshold: number): Promise<SecretBytes[]>;
  /** Adds one share towards unsealing; at the threshold, verifies the quorum by unwrapping the root. */
  submitShare(share: Uint8Array): Promise<SealStatus>;
  /** Zeroes the root key and any unseal progress. Idempotent. */
  seal(): void;
  /** Replaces the share set, given a quorum of the current shares; old shares stop working. */
  rekey(currentShares: readonly Uint8Array[], shares: number, threshold: number): Promise<SecretBytes[]>;
  /** For tests that pin the seal invariant: secrets held in this process (root key, pending shares). */
  readonly heldSecrets: number;
  /**
   * Roots that unseal themselves (an HSM): checks the root is reachable, reconnecting when it was lost
   * (never after an operator's seal or a rejected PIN), and reports whether it is usable now.
   */
  probe?(): Promise<boolean>;
  /**
   * Re-reads what the root persists in the shared store (another node of a cluster may have initialized
   * or rekeyed it since this one loaded it); only while sealed with no unseal in progress.
   */
  reload?(): Promise<void>;
}

/** A secret wrapped under the current domain key, with the version that wrapped it. */
export interface WrappedSecret {
  readonly domainKeyVersion: number;
  readonly wrapped: Buffer;
}

/** A stored secret as the background rewrap after a root rotation sees it. */
export interface WrappedRow {
  readonly kind: 'key-material' | 'access-key' | 'import-token' | 'audit-signing-key' | 'mfa-device' | 'custom-key-store';
  /** Key id, access key id, import token id, custom key store id, or '1' (the audit signing key). */
  readonly id: string;
  /** Key version (key material); 0 otherwise. */
  readonly version: number;
  /** The key an import token was issued for; '' otherwise. */
  readonly keyId: string;
  readonly domainKeyVersion: number;
  readonly wrapped: Buffer;
}

/** Every stored secret wrapped under a domain key, for rewrapping under the newest domain key. */
export interface RewrapStore {
  /** Up to `limit` rows wrapped under a domain key version other than `current`, in no promised order. */
  listStale(current: number, limit: number): Promise<readonly WrappedRow[]>;
  countStale(current: number): Promise<number>;
  /** Replaces a row's wrapping only if it is still as read (compare and set); false if it changed. */
  replaceWrapping(row: WrappedRow, next: WrappedSecret): Promise<boolean>;
}

/** Wraps and unwraps stored secrets (key material, access-key secrets) under the domain keys. */
export interface Keyring {
  wrap(secret: SecretBytes, binding: Uint8Array): Promise<WrappedSecret>;
  unwrap(secret: WrappedSecret, binding: Uint8Array): Promise<SecretBytes>;
}

/** Authentication's port lives in authentication.ts (re-exported here for the existing importers). */
export type { AuthenticationRequest, Authenticator } from './authentication.js';

/** A principal's identity policy, as stored: the document text, validated when it was put. */
export interface StoredPrincipalPolicy {
  readonly name: string;
  readonly document: string;
  readonly updatedAt: Date;
}

/** Grants on keys. Each method is atomic. */
export interface GrantStore {
  createGrant(grant: GrantRecord): Promise<void>;
  getGrant(grantId: string): Promise<GrantRecord | undefined>;
  /** Grants of a key, oldest first, `limit` at most, after the cursor (a grant id; an unknown one gives an empty page). */
  listGrants(keyId: string, after: string | undefined, limit: number): Promise<Page<GrantRecord>>;
  /** Every grant of a key (authorization reads these on each request). */
  grantsForKey(keyId: string): Promise<readonly GrantRecord[]>;
  listRetirableGrants(retiringPrincipal: string, after: string | undefined, limit: number): Promise<Page<GrantRecord>>;
  /** As `listRetirableGrants`, for the grants whose retiring service principal is `servicePrincipal` (ADR 0021). */
  listServiceRetirableGrants(servicePrincipal: string, after: string | undefined, limit: number): Promise<Page<GrantRecord>>;
  /** Deletes the grant and every grant created under its authority (children, their children, ...). */
  deleteGrant(grantId: string): Promise<void>;
}
