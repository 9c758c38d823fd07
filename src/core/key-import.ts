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

/**
 * What Arca keeps about one generation of an EXTERNAL key's material, including after
 * DeleteImportedKeyMaterial. A generation is a key version: the first import is the key's primary version
 * (1), and each ImportKeyMaterial with ImportType NEW_KEY_MATERIAL into a key with material adds the next
 * one, pending rotation (version above the primary) until RotateKeyOnDemand makes it primary.
 */
export interface KeyImportRecord {
  readonly keyId: string;
  /** The key version this generation is (its KeyMaterialId is derived from it: core/key-material-id.ts). */
  readonly version: number;
  /** A hash of the imported material bound to the key: a re-import must carry the same material. */
  readonly fingerprint: Buffer;
  readonly expirationModel: ExpirationModel;
  readonly validTo?: Date | undefined;
  readonly importedAt: Date;
  /** AWS's KeyMaterialDescription of the imported material (symmetric keys; kept by a re-import that names none). */
  readonly description?: string | undefined;
  /** When RotateKeyOnDemand made this generation current (none for the first generation, nor one pending rotation). */
  readonly rotatedAt?: Date | undefined;
}

/** A generation as ListKeyRotations shows it: the record, and whether its material is stored now (ImportState). */
export interface KeyImportGeneration extends KeyImportRecord {
  readonly imported: boolean;
}

/** One generation whose imported material expired: the key and the version. */
export interface ExpiredMaterial {
  readonly keyId: string;
  readonly version: number;
}

/** Storage for BYOK. Each method is atomic. */
export interface KeyImportStore {
  putToken(token: ImportTokenRecord): Promise<void>;
  getToken(tokenId: string): Promise<ImportTokenRecord | undefined>;
  /**
   * In one transaction: marks the token used and erases its wrapping private key (returns false, changing
   * nothing, if it already was used or does not exist, or if generation `record.version` is recorded with
   * another fingerprint: two imports of new material raced for it), replaces the stored material of
   * `version.version` only, records the import of that generation (`record.version`), forgets the record of any other generation
   * pending rotation whose material is not stored (the new material takes its place), and sets the key
   * Enabled if it was PendingImport and now has the material of every generation up to its primary version.
   */
  importMaterial(tokenId: string, usedAt: Date, version: StoredKeyVersion, record: KeyImportRecord): Promise<boolean>;
  /** The record of generation `version` of the key (by default its primary version's). */
  getImport(keyId: string, version?: number): Promise<KeyImportRecord | undefined>;
  /** Every generation of the key, oldest first, with whether its material is stored. */
  listImports(keyId: string): Promise<readonly KeyImportGeneration[]>;
  /**
   * Generations whose imported material expired (`KEY_MATERIAL_EXPIRES`, `ValidTo` ≤ now) and is still
   * stored, of keys not destroyed; no promised order.
   */
  expiredMaterial(now: Date): Promise<readonly ExpiredMaterial[]>;
  /**
   * Deletes the stored material of generation `version` of the key; the record (and so the fingerprint)
   * stays. Unless the generation is pending rotation (above the primary version), the key is set
   * PendingImport, as AWS does when any material permanently associated with a key is deleted. With
   * `expiredBy`, only if that generation's material is still expired at that time (false otherwise).
   */
  deleteMaterial(keyId: string, version: number, expiredBy?: Date): Promise<boolean>;
  /**
   * RotateKeyOnDemand on imported material: makes generation `version` (pending rotation, material
   * stored) the key's primary version and records `rotatedAt`, only if the primary version still is
   * `expectedPrimary` and the key is not destroyed. Returns false, changing nothing, otherwise.
   */
  rotateToImported(keyId: string, version: number, expectedPrimary: number, rotatedAt: Date): Promise<boolean>;
}
