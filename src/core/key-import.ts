import type { StoredKeyVersion } from './key.js';
import type { WrappedSecret } from './ports.js';

/** Bring-your-own-key (origin EXTERNAL): import tokens and what Arca remembers of imported material. */

export const WRAPPING_KEY_SPECS = ['RSA_2048', 'RSA_3072', 'RSA_4096'] as const;
export type WrappingKeySpec = (typeof WRAPPING_KEY_SPECS)[number];

export const WRAPPING_ALGORITHMS = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256', 'RSAES_PKCS1_V1_5', 'SM2PKE'] as const;
export type WrappingAlgorithm = (typeof WRAPPING_ALGORITHMS)[number];

/** ImportKeyMaterial's ImportType: a first or next generation of material, or one the key already had. */
export const IMPORT_TYPES = ['NEW_KEY_MATERIAL', 'EXISTING_KEY_MATERIAL'] as const;
export type ImportType = (typeof IMPORT_TYPES)[number];

export const EXPIRATION_MODELS = ['KEY_MATERIAL_EXPIRES', 'KEY_MATERIAL_DOES_NOT_EXPIRE'] as const;
export type ExpirationModel = (typeof EXPIRATION_MODELS)[number];

/** How long an import token and its wrapping key stay valid (AWS: 24 hours). */
export const IMPORT_TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** One GetParametersForImport answer: the wrapping private key (wrapped under the domain key) and its limits. */
export interface ImportTokenRecord {
  readonly tokenId: string;
  readonly keyId: string;
  readonly wrappingKeySpec: WrappingKeySpec;
  readonly wrappingAlgorithm: WrappingAlgorithm;
  readonly wrappedPrivateKey: WrappedSecret;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  /** Set once the token was used by ImportKeyMaterial: tokens are single-use. */
  readonly usedAt?: Date | undefined;
}

/** What Arca keeps about an EXTERNAL key's material, including after DeleteImportedKeyMaterial. */
export interface KeyImportRecord {
  readonly keyId: string;
  /** A hash of the imported material bound to the key: a re-import must carry the same material. */
  readonly fingerprint: Buffer;
  readonly expirationModel: ExpirationModel;
  readonly validTo?: Date | undefined;
  readonly importedAt: Date;
  /** AWS's KeyMaterialDescription of the imported material (symmetric keys; kept by a re-import that names none). */
  readonly description?: string | undefined;
}

/** Storage for BYOK. Each method is atomic. */
export interface KeyImportStore {
  putToken(token: ImportTokenRecord): Promise<void>;
  getToken(tokenId: string): Promise<ImportTokenRecord | undefined>;
  /**
   * In one transaction: marks the token used and erases its wrapping private key (returns false, changing
   * nothing, if it already was used or does not exist), replaces the key's stored versions with `version`,
   * records the import (a re-import keeps the fingerprint first recorded: the caller checks that the
   * material matches it) and sets the key Enabled if it was PendingImport.
   */
  importMaterial(tokenId: string, usedAt: Date, version: StoredKeyVersion, record: KeyImportRecord): Promise<boolean>;
  getImport(keyId: string): Promise<KeyImportRecord | undefined>;
  /** Keys whose imported material expired (`KEY_MATERIAL_EXPIRES`, `ValidTo` ≤ now) and is still stored; no promised order. */
  expiredMaterial(now: Date): Promise<readonly string[]>;
  /**
   * Deletes every stored version of the key's material and sets it PendingImport; the fingerprint stays.
   * With `expiredBy`, only if the imported material is still expired at that time (false otherwise).
   */
  deleteMaterial(keyId: string, expiredBy?: Date): Promise<boolean>;
}
