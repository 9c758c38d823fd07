import type { SecretBytes } from '../crypto/secret-bytes.js';

/**
 * Arca as the external key store of AWS KMS (the XKS proxy API, docs/xks-proxy.md): the domain's view of
 * which Arca keys are exposed under which external key ids, and the cipher custody performs for them. The
 * transport (src/api/xks/) speaks the wire; the operations (src/service/xks/) see only these types.
 */

/** A key operation an exposed key allows (the configuration's words; the wire says `ENCRYPT`/`DECRYPT`). */
export type XksKeyOperation = 'encrypt' | 'decrypt';

/** The XKS API's `externalKeyId`: 1 to 128 letters, digits, `-`, `.` and `_` (the spec's rule). */
export const XKS_KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

/** One Arca key exposed to XKS: its external key id, the Arca key (id, ARN, alias name or alias ARN) and what it may do. */
export interface XksKeyExposure {
  readonly xksKeyId: string;
  readonly key: string;
  readonly operations: readonly XksKeyOperation[];
}

/**
 * The XKS exposure of this deployment, as the operations check it: an operation is served only for a
 * configured external key id naming the key it resolved, only for an allowed key operation, and only to
 * a request signed with one of the XKS credentials (not with an Arca access key over the AWS protocol).
 */
export interface XksExposure {
  /** The exposure of `xksKeyId`, or `undefined` when it is not configured. */
  key(xksKeyId: string): XksKeyExposure | undefined;
  /** Whether `accessKeyId` is one of the configured XKS credentials. */
  isXksCredential(accessKeyId: string | undefined): boolean;
}

/**
 * The spec's `requestMetadata`: who called AWS KMS, for which KMS operation and key. Not verified by
 * anyone but AWS KMS (it is covered by the request's signature): Arca records it in the audit event and
 * offers it to policies as `arca:Xks…` condition keys.
 */
export interface XksRequestMetadata {
  readonly AwsPrincipalArn?: string | undefined;
  readonly AwsSourceVpc?: string | undefined;
  readonly AwsSourceVpce?: string | undefined;
  readonly KmsKeyArn?: string | undefined;
  readonly KmsOperation: string;
  readonly KmsRequestId: string;
  readonly KmsViaService?: string | undefined;
}

/** The output of an XKS encryption: the spec's fields, each as bytes. */
export interface XksSealed {
  readonly ciphertext: Buffer;
  readonly initializationVector: Buffer;
  readonly authenticationTag: Buffer;
  /** Arca's ciphertext metadata: format and key version (authenticated through the AAD). */
  readonly ciphertextMetadata: Buffer;
  /** SHA-256 over AAD ‖ metadata ‖ IV ‖ ciphertext ‖ tag, when the request asked for it (the spec's CDIV). */
  readonly ciphertextDataIntegrityValue: Buffer | undefined;
}

/** What an XKS decryption needs: the fields of an earlier encryption and the AAD the caller supplies. */
export interface XksSealedInput {
  readonly ciphertext: Buffer;
  readonly initializationVector: Buffer;
  readonly authenticationTag: Buffer;
  readonly ciphertextMetadata: Buffer | undefined;
  readonly additionalAuthenticatedData: Buffer | undefined;
}

/** AES-256-GCM for XKS under an Arca key, inside custody: the key material never leaves it. */
export interface XksCipher {
  /** Encrypts under the key's primary version; with `cdiv`, computes the CDIV and checks the ciphertext decrypts. */
  encrypt(plaintext: SecretBytes, aad: Buffer | undefined, cdiv: boolean): Promise<XksSealed>;
  /** The plaintext (the caller disposes it); every failure is the one opaque InvalidCiphertext. */
  decrypt(sealed: XksSealedInput): Promise<SecretBytes>;
}
