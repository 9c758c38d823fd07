import type { SecretBytes } from '../crypto/secret-bytes.js';
import type { AuditEvent, TreeHead } from './audit.js';
import type { AliasRecord, KeyRecord, StoredKeyVersion, Tag } from './key.js';
import type { AccessKeyRecord, Principal, PrincipalRecord } from './principal.js';

/** Time, injected so that tests can move it. */
export interface Clock {
  now(): Date;
}

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A page of results and where the next one starts. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly next?: string | undefined;
}

/** Keys, their versions, aliases and tags. Each method is atomic: a failure changes nothing. */
export interface KeyStore {
  createKey(key: KeyRecord, firstVersion: StoredKeyVersion, tags: readonly Tag[]): Promise<void>;
  getKey(keyId: string): Promise<KeyRecord | undefined>;
  /** Keys ordered by creation, `limit` at most, starting after the cursor `after`. */
  listKeys(after: string | undefined, limit: number): Promise<Page<KeyRecord>>;
  updateKey(keyId: string, change: Partial<Pick<KeyRecord, 'description' | 'state' | 'policy'>>): Promise<void>;
  getKeyVersion(keyId: string, version: number): Promise<StoredKeyVersion | undefined>;

  getAlias(name: string): Promise<AliasRecord | undefined>;
  /** Fails with AlreadyExists if the name is taken. */
  createAlias(alias: AliasRecord): Promise<void>;
  updateAlias(name: string, keyId: string, at: Date): Promise<void>;
  deleteAlias(name: string): Promise<void>;
  listAliases(keyId: string | undefined, after: string | undefined, limit: number): Promise<Page<AliasRecord>>;

  listTags(keyId: string): Promise<readonly Tag[]>;
  /** Replaces the values of existing tag keys and adds the others. */
  putTags(keyId: string, tags: readonly Tag[]): Promise<void>;
  removeTags(keyId: string, tagKeys: readonly string[]): Promise<void>;

  /** Domain key versions, wrapped under the root of trust, oldest first. */
  listDomainKeys(): Promise<readonly { version: number; wrapped: Buffer }[]>;
  addDomainKey(version: number, wrapped: Buffer): Promise<void>;
}

export interface PrincipalStore {
  getPrincipal(id: string): Promise<PrincipalRecord | undefined>;
  findPrincipalByName(name: string): Promise<PrincipalRecord | undefined>;
  createPrincipal(principal: PrincipalRecord): Promise<void>;
  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  createAccessKey(key: AccessKeyRecord): Promise<void>;
  listAccessKeys(principalId: string): Promise<readonly AccessKeyRecord[]>;
}

/** Where audit events go. `append` resolves only once the event is durable. */
export interface AuditLog {
  append(event: AuditEvent): Promise<void>;
  /**
   * Runs a mutating request so that its store changes and its audit event become durable together or
   * not at all: `work` runs inside one store transaction and returns the event to record; with
   * `keep: false` its store changes are rolled back but the event is still recorded. Rejects (and
   * changes nothing) when the event cannot be made durable. Calls are serialized.
   */
  atomically(work: () => Promise<{ readonly event: AuditEvent; readonly keep: boolean }>): Promise<void>;
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
  /** The trail's entries with sequence in [from, to], oldest first; a pruned entry (retention) has no event. */
  entriesInRange(from: number, to: number): Promise<readonly AuditEntry[]>;
  getEvent(eventId: string): Promise<AuditEvent | undefined>;
  /** Leaf hashes of sequences 1..size (pruned events keep their leaf hash). */
  leafHashes(size: number): Promise<readonly Buffer[]>;
  /** Signed tree heads, oldest first. */
  treeHeads(): Promise<readonly TreeHead[]>;
  /** Signs a tree head over every committed event now, if any is not covered yet; returns the latest head. */
  checkpoint(): Promise<TreeHead | undefined>;
  /** The tree head of exactly `treeSize` events, if one was signed. */
  treeHead(treeSize: number): Promise<TreeHead | undefined>;
  /** The trail's id (every event's `arca.chainId`). */
  chainId(): string;
  /** The Ed25519 public key (raw 32 bytes) that signs the tree heads. */
  publicKey(): Buffer;
  /** The latest successful use of a key by a cryptographic operation. */
  lastUsage(keyArn: string): Promise<{ readonly eventTime: string; readonly eventName: string; readonly eventId: string; readonly requestId: string } | undefined>;
  /** When the trail began (its first event), if it has any. */
  trackingStart(): Promise<string | undefined>;
}

/** Where the tree-head signing key lives, wrapped under the domain keys. */
export interface AuditSigningKeyStore {
  getSigningKey(): { readonly publicKey: Buffer; readonly wrapped: WrappedSecret } | undefined;
  putSigningKey(publicKey: Buffer, wrapped: WrappedSecret): void;
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

/** A secret wrapped under the current domain key, with the version that wrapped it. */
export interface WrappedSecret {
  readonly domainKeyVersion: number;
  readonly wrapped: Buffer;
}

/** Wraps and unwraps stored secrets (key material, access-key secrets) under the domain keys. */
export interface Keyring {
  wrap(secret: SecretBytes, binding: Uint8Array): Promise<WrappedSecret>;
  unwrap(secret: WrappedSecret, binding: Uint8Array): Promise<SecretBytes>;
}

/** What an authenticator sees of a request: exactly what arrived on the wire. */
export interface AuthenticationRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  /** Header name/value pairs as received (names in any case, duplicates kept). */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
}

export interface Authenticator {
  /** The calling principal, or a KmsError (MissingAuthentication, InvalidSignature, ...). */
  authenticate(request: AuthenticationRequest): Promise<Principal>;
}
