import type { SecretBytes } from '../crypto/secret-bytes.js';

/**
 * The HSM side of an `AWS_CLOUDHSM`-shaped custom key store (issue 21): a PKCS#11 token, named by a
 * cluster id in the configuration, that generates AES-256 keys which never leave it and encrypts and
 * decrypts with them inside the token. The implementation over PKCS#11 lives in src/root/pkcs11/ and is
 * wired in src/server/; custody reaches it only through these types.
 */

/** Why a connection to an HSM cluster failed, in AWS's `ConnectionErrorCode` words for CloudHSM key stores. */
export type HsmConnectionErrorCode =
  | 'CLUSTER_NOT_FOUND'
  | 'INVALID_CREDENTIALS'
  | 'USER_LOCKED_OUT'
  | 'NETWORK_ERRORS'
  | 'INTERNAL_ERROR';

/** A failed connection to an HSM cluster. The message is for the operator's log, never for a caller. */
export class HsmConnectionError extends Error {
  constructor(
    readonly code: HsmConnectionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HsmConnectionError';
  }
}

/** AES-GCM output of the token: a 12-byte IV, the ciphertext and a 16-byte tag. */
export interface HsmSealed {
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

/** One logged-in connection to a cluster's token (AWS's `kmsuser` session). */
export interface HsmKeyStoreConnection {
  /** Generates a non-extractable, sensitive AES-256 key labelled `label` in the token. Throws if the label exists. */
  generateKey(label: string): Promise<void>;
  /** Whether a key labelled `label` exists in the token. */
  hasKey(label: string): Promise<boolean>;
  /** AES-256-GCM encryption inside the token with the key labelled `label`; a fresh random IV each call. */
  encrypt(label: string, plaintext: SecretBytes, aad: Uint8Array): Promise<HsmSealed>;
  /** AES-256-GCM decryption inside the token; throws `HsmDecryptError` when the tag does not verify. */
  decrypt(label: string, sealed: HsmSealed, aad: Uint8Array): Promise<SecretBytes>;
  /** Destroys the key labelled `label` (C_DestroyObject); answers false if there was none. */
  destroyKey(label: string): Promise<boolean>;
  /** Logs out and closes the session. Idempotent. */
  close(): Promise<void>;
}

/** A decryption the token refused: the ciphertext, tag, IV or AAD is not what the key sealed. */
export class HsmDecryptError extends Error {
  constructor() {
    super('the HSM could not decrypt the ciphertext');
    this.name = 'HsmDecryptError';
  }
}

/** The HSM clusters this deployment knows, by cluster id (`cluster-` and 11–16 base-32 characters, AWS's pattern). */
export interface HsmClusters {
  /** Whether the configuration names this cluster id. */
  has(clusterId: string): boolean;
  /** Opens a session on the cluster's token logged in with `password` (the key store password). Throws `HsmConnectionError`. */
  connect(clusterId: string, password: SecretBytes): Promise<HsmKeyStoreConnection>;
}
