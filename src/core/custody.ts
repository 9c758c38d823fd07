import type { SecretBytes } from '../crypto/secret-bytes.js';
import type { DataKeyPairSpec, EncapsulationAlgorithm, KeyAgreementAlgorithm, MacAlgorithm, SigningAlgorithm } from './key-capabilities.js';
import type { EncryptionAlgorithm, KeyRecord, KeySpec, StoredKeyVersion } from './key.js';
import type { ImportTokenRecord, WrappingAlgorithm, WrappingKeySpec } from './key-import.js';
import type { Keyring, SealStatus, WrappedSecret } from './ports.js';
import type { XksCipher } from './xks.js';

/**
 * The ports of custody (DESIGN.md §1 "custody/"): what the operations may ask of the key hierarchy, the
 * seal life cycle and the key primitives. The implementations live in src/custody/ and are wired in
 * src/server; src/service/ sees only these types, so key material of a customer key never enters it.
 */

/** A key as a primitive needs it: its record, and the ARN that AWS's error messages name. */
export interface KeyHandle {
  readonly record: KeyRecord;
  readonly arn: string;
}

/**
 * The key hierarchy as the service sees it: a keyring over the domain keys that can be sealed, and
 * holds a cache of unwrapped key-version material that the service invalidates on disable, deletion and
 * destruction.
 */
export interface SealedKeyring extends Keyring {
  /** Whether the domain keys are loaded and the root is unsealed. */
  readonly isOpen: boolean;
  /** Drops (and zeroes) everything cached for a key: its material and every key parsed from it. */
  forgetKey(keyId: string): void;
  /** The ids of the keys with cached material (for sweeps that drop material of keys changed elsewhere). */
  cachedKeyIds(): string[];
}

/** The bootstrap administrator's credentials, handed out once by InitializeRoot. */
export interface AdminCredentials {
  readonly principalArn: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: SecretBytes;
  readonly created: boolean;
}

/** What `InitializeRoot` hands out, once. */
export interface InitializeResult {
  readonly shares: SecretBytes[];
  readonly admin: AdminCredentials;
}

/** The seal life cycle of a sealed root of trust, as the operator operations drive it. */
export interface SealControl {
  status(): SealStatus;
  /** The status after re-reading the shared seal record (a cluster's other nodes may have initialized or rekeyed the root). */
  currentStatus(): Promise<SealStatus>;
  initialize(shares: number, threshold: number): Promise<InitializeResult>;
  unseal(share: Uint8Array | undefined): Promise<SealStatus>;
  seal(): void;
  rotateRoot(): Promise<{ readonly domainKeyVersion: number; readonly stale: number }>;
  rekey(currentShares: readonly Uint8Array[], shares: number, threshold: number): Promise<SecretBytes[]>;
}

/** What an encrypter or decrypter is for: the algorithm, the encryption context and the operation AWS's messages name. */
export interface EncryptionParams {
  readonly algorithm?: EncryptionAlgorithm | undefined;
  readonly context: Readonly<Record<string, string>>;
  /** The operation named in a refusal (symmetric keys; an RSA key's refusal names its step, Encrypt or Decrypt). */
  readonly operation: string;
  /** Who asks, for a key in an external key store: the XKS proxy's `requestMetadata` (ADR 0024). */
  readonly caller?: CallerFacts | undefined;
}

/** The caller's ARN and the request id, as an external key store proxy is told them. */
export interface CallerFacts {
  readonly principalArn: string;
  readonly requestId: string;
}

export interface Encrypter {
  /** The ciphertext: an Arca ciphertext blob (symmetric keys) or the raw RSAES-OAEP output. */
  encrypt(plaintext: SecretBytes): Promise<Buffer>;
}

/** A decryption's parameters: the ciphertext is known up front, so that the key check can compare its header. */
export interface DecryptionParams extends EncryptionParams {
  /**
   * The ciphertext. For a symmetric key its header must name the key: a malformed header is the opaque
   * InvalidCiphertext, another key's id is IncorrectKey (two values the caller holds; docs/ciphertext-format.md).
   */
  readonly ciphertext: Buffer;
}

export interface Decrypter {
  /** The plaintext (the caller disposes it); every failure is the one opaque InvalidCiphertext. */
  decrypt(): Promise<SecretBytes>;
}

/** AWS's MessageType: a RAW message, a DIGEST of it, or an ML-DSA message representative μ (EXTERNAL_MU). */
export type MessageType = 'RAW' | 'DIGEST' | 'EXTERNAL_MU';

export interface Signer {
  sign(message: SecretBytes): Promise<Buffer>;
}

export interface Verifier {
  verify(message: SecretBytes, signature: Buffer): Promise<boolean>;
}

export interface Mac {
  readonly algorithm: MacAlgorithm;
  compute(message: SecretBytes): Promise<Buffer>;
  /** Constant-time comparison with the expected tag (unequal lengths fail at once). */
  verify(message: SecretBytes, tag: Buffer): Promise<boolean>;
}

export interface KeyAgreement {
  /** The shared secret with the peer public key given to {@link KeyPrimitives.agreement}. */
  derive(): Promise<SecretBytes>;
}

/** A new shared secret (32 bytes; the caller disposes it) and its encapsulation under the key's public key. */
export interface Encapsulation {
  readonly ciphertext: Buffer;
  readonly sharedSecret: SecretBytes;
}

export interface Encapsulator {
  encapsulate(): Promise<Encapsulation>;
}

export interface Decapsulator {
  /** The shared secret of the ciphertext given to {@link KeyPrimitives.decapsulator} (the caller disposes it). */
  decapsulate(): Promise<SecretBytes>;
}

/** A fresh data key pair: the private key in plaintext and encrypted under a symmetric key, and the public key. */
export interface DataKeyPair {
  readonly privateKeyPlaintext: SecretBytes;
  readonly privateKeyCiphertextBlob: Buffer;
  readonly publicKey: Buffer;
}

/**
 * Key handle → primitive (in the spirit of Tink). Each factory validates synchronously, once, whether the
 * key can do the work (usage, key spec, algorithm and the parameters) and throws AWS's error if not; the
 * operations' `check` steps call the same factory, so a DryRun answers exactly what the call would. The
 * primitive's methods load the material (refusing expired imported material and a sealed hierarchy).
 */
export interface KeyPrimitives {
  encrypter(key: KeyHandle, params: EncryptionParams): Encrypter;
  /**
   * An encrypter that makes Arca ciphertext blobs only (data keys: GenerateDataKey*): an asymmetric key is
   * refused as not valid for the operation, whatever its usage.
   */
  blobEncrypter(key: KeyHandle, params: EncryptionParams): Encrypter;
  decrypter(key: KeyHandle, params: DecryptionParams): Decrypter;
  /** A signer for `algorithm`; `messageType` says whether the message is RAW, a DIGEST or an EXTERNAL_MU of its length. */
  signer(key: KeyHandle, algorithm: SigningAlgorithm, messageType: MessageType | undefined, messageLength: number): Signer;
  verifier(key: KeyHandle, algorithm: SigningAlgorithm, messageType: MessageType | undefined, messageLength: number): Verifier;
  mac(key: KeyHandle, algorithm: MacAlgorithm, operation: string): Mac;
  agreement(key: KeyHandle, algorithm: KeyAgreementAlgorithm, peerPublicKey: Buffer): KeyAgreement;
  /** ML-KEM encapsulation under an ENCAPSULATE_DECAPSULATE key's public key (Encapsulate). */
  encapsulator(key: KeyHandle, algorithm: EncapsulationAlgorithm): Encapsulator;
  /** ML-KEM decapsulation of `ciphertext` (Decapsulate): InvalidCiphertext when its length does not fit the key spec. */
  decapsulator(key: KeyHandle, algorithm: EncapsulationAlgorithm, ciphertext: Buffer): Decapsulator;
  /** The DER SubjectPublicKeyInfo of an asymmetric key's primary version. */
  publicKey(key: KeyHandle): Promise<Buffer>;
  /** AES-256-GCM for the XKS proxy API under a SYMMETRIC_DEFAULT key whose material Arca holds (docs/xks-proxy.md). */
  xks(key: KeyHandle, operation: string): XksCipher;
  /** Validates a data key pair request (the spec, then the symmetric key) before any generation. */
  checkDataKeyPair(key: KeyHandle, spec: DataKeyPairSpec, operation: string): void;
  /** A fresh key pair of `spec`, its private key encrypted under the symmetric `key` with `context`. */
  dataKeyPair(key: KeyHandle, spec: DataKeyPairSpec, context: Readonly<Record<string, string>>, operation: string): Promise<DataKeyPair>;
  /**
   * UNSAFE (ArcaService.ExportKeyMaterial, ADR 0027): a copy of the primary version's plaintext material of
   * a symmetric or HMAC key whose material Arca holds, for the caller to dispose. The operation decides
   * whether the key may be exported (its `arca:Exportable` tag); custody refuses keys in custom key stores
   * and asymmetric keys, a sealed hierarchy and expired imported material.
   */
  unsafeExportMaterial(key: KeyHandle): Promise<SecretBytes>;
}

/**
 * Material for a new key made ahead of the audit transaction (CreateKey's `prepare`: an RSA-4096 key pair
 * takes up to seconds): already wrapped for version 1 of the key id it names, so no secret waits between
 * `prepare` and `execute`. Opaque: only the {@link KeyProvisioner} that made it can use it.
 */
export interface PreparedKey {
  /** The id the new key must take: the material is bound to it. */
  readonly keyId: string;
  readonly keySpec: KeySpec;
}

/**
 * Makes new key versions (CreateKey, rotation): the material is generated, wrapped under the key
 * hierarchy bound to its key and version, and zeroed inside custody; the service receives only the
 * stored row (wrapped bytes).
 */
export interface KeyProvisioner {
  /** Generates and wraps the material of a new key of `spec` under a fresh key id (the slow part of CreateKey). */
  prepareKey(spec: KeySpec): Promise<PreparedKey>;
  /**
   * The row of version `version` of `key`, with fresh material of its spec, or with the material of
   * `prepared` (which must name this key and spec, for version 1). Refuses a sealed hierarchy; material
   * prepared under an older domain key is rewrapped under the current one, as if made now.
   */
  newVersion(key: Pick<KeyRecord, 'id' | 'keySpec'>, version: number, createdAt: Date, prepared?: PreparedKey): Promise<StoredKeyVersion>;
}

/** A wrapping key pair made ahead of the transaction (GetParametersForImport's `prepare`); opaque to the service. */
export interface PreparedWrappingKey {
  readonly wrappingKeySpec: WrappingKeySpec;
}

/** A new import token's wrapping key: the public key to hand out, the private key wrapped for the token. */
export interface WrappingKey {
  /** DER SubjectPublicKeyInfo. */
  readonly publicKey: Buffer;
  readonly wrappedPrivateKey: WrappedSecret;
}

/** Imported material accepted for a key: its wrapped version row and the fingerprint that a re-import must match. */
export interface AcceptedImport {
  readonly version: StoredKeyVersion;
  readonly fingerprint: Buffer;
}

/**
 * Bring your own key, inside custody: wrapping key pairs for import tokens, and the unwrapping, checking
 * and rewrapping of imported material. The service sees public keys, wrapped rows and fingerprints only.
 */
export interface KeyImporter {
  /** Whether Arca can unwrap material wrapped with `algorithm` (PKCS#1 v1.5 and SM2 are refused). */
  supports(algorithm: WrappingAlgorithm): boolean;
  /** Generates a wrapping key pair of `spec` (RSA up to 4096 bits: the slow part of GetParametersForImport). */
  prepareWrappingKey(spec: WrappingKeySpec): Promise<PreparedWrappingKey>;
  /**
   * The wrapping key of import token `tokenId` for key `keyId`: `prepared` (consumed) or a new pair of
   * `spec`, its private key wrapped bound to the key and the token, then zeroed.
   */
  wrappingKey(keyId: string, tokenId: string, spec: WrappingKeySpec, prepared?: PreparedWrappingKey): Promise<WrappingKey>;
  /**
   * Unwraps `encryptedMaterial` with `token`'s wrapping key and wraps it as version `version` of the key
   * (by default its primary version: a generation of imported material), with AWS's errors:
   * InvalidImportToken (unsupported algorithm), InvalidCiphertext (does not unwrap), IncorrectKeyMaterial
   * (does not fit the key spec, or differs from `previousFingerprint`).
   */
  acceptImported(key: KeyRecord, token: ImportTokenRecord, encryptedMaterial: Buffer, previousFingerprint: Buffer | undefined, createdAt: Date, version?: number): Promise<AcceptedImport>;
  /**
   * Registers plaintext `material` (KMIP Register, ArcaService.CreateManagedKey; ADR 0027) as version
   * `version` of the EXTERNAL key: checked against the key spec (IncorrectKeyMaterial), fingerprinted and
   * wrapped as {@link acceptImported} does. The caller keeps (and disposes) `material`.
   */
  acceptRegistered(key: KeyRecord, material: SecretBytes, createdAt: Date, version?: number): Promise<AcceptedImport>;
}
