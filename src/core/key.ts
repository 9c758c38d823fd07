/** The key model: specs, usages, states and the record a store keeps for each key. */

export const KEY_SPECS = [
  'SYMMETRIC_DEFAULT',
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'ECC_NIST_EDWARDS25519',
  'HMAC_224',
  'HMAC_256',
  'HMAC_384',
  'HMAC_512',
  'SM2',
  'ML_DSA_44',
  'ML_DSA_65',
  'ML_DSA_87',
  'ML_KEM_512',
  'ML_KEM_768',
  'ML_KEM_1024',
] as const;
export type KeySpec = (typeof KEY_SPECS)[number];

export const KEY_USAGES = ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT', 'ENCAPSULATE_DECAPSULATE'] as const;
export type KeyUsage = (typeof KEY_USAGES)[number];

export const KEY_STATES = ['Creating', 'Enabled', 'Disabled', 'PendingDeletion', 'PendingImport', 'Unavailable'] as const;
export type KeyState = (typeof KEY_STATES)[number];

export const ORIGINS = ['AWS_KMS', 'EXTERNAL', 'EXTERNAL_KEY_STORE', 'AWS_CLOUDHSM'] as const;
export type Origin = (typeof ORIGINS)[number];

export type EncryptionAlgorithm = 'SYMMETRIC_DEFAULT' | 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256' | 'SM2PKE';

export interface KeySpecInfo {
  /** Usages AWS allows for the spec; the first is the default. */
  readonly usages: readonly KeyUsage[];
  /**
   * Whether this build of Arca can create keys of the spec yet. (ML-DSA and ML-KEM also need a runtime
   * whose node:crypto has them: `requireSpecRuntime` in key-capabilities.ts.)
   */
  readonly available: boolean;
  /** Encryption algorithms for ENCRYPT_DECRYPT keys of this spec. */
  readonly encryptionAlgorithms: readonly EncryptionAlgorithm[];
  /** Bytes of random material a new key version gets (asymmetric keys get a generated PKCS#8 key pair instead). */
  readonly materialLength: number;
}

/** Capabilities are data: each spec's usages, algorithms and availability (STYLE.md rule 7). */
export const KEY_SPEC_INFO: Record<KeySpec, KeySpecInfo> = {
  SYMMETRIC_DEFAULT: { usages: ['ENCRYPT_DECRYPT'], available: true, encryptionAlgorithms: ['SYMMETRIC_DEFAULT'], materialLength: 32 },
  RSA_2048: { usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'], available: true, encryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'], materialLength: 0 },
  RSA_3072: { usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'], available: true, encryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'], materialLength: 0 },
  RSA_4096: { usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'], available: true, encryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'], materialLength: 0 },
  ECC_NIST_P256: { usages: ['SIGN_VERIFY', 'KEY_AGREEMENT'], available: true, encryptionAlgorithms: [], materialLength: 0 },
  ECC_NIST_P384: { usages: ['SIGN_VERIFY', 'KEY_AGREEMENT'], available: true, encryptionAlgorithms: [], materialLength: 0 },
  ECC_NIST_P521: { usages: ['SIGN_VERIFY', 'KEY_AGREEMENT'], available: true, encryptionAlgorithms: [], materialLength: 0 },
  ECC_SECG_P256K1: { usages: ['SIGN_VERIFY'], available: true, encryptionAlgorithms: [], materialLength: 0 },
  ECC_NIST_EDWARDS25519: { usages: ['SIGN_VERIFY'], available: true, encryptionAlgorithms: [], materialLength: 0 },
  HMAC_224: { usages: ['GENERATE_VERIFY_MAC'], available: true, encryptionAlgorithms: [], materialLength: 28 },
  HMAC_256: { usages: ['GENERATE_VERIFY_MAC'], available: true, encryptionAlgorithms: [], materialLength: 32 },
  HMAC_384: { usages: ['GENERATE_VERIFY_MAC'], available: true, encryptionAlgorithms: [], materialLength: 48 },
  HMAC_512: { usages: ['GENERATE_VERIFY_MAC'], available: true, encryptionAlgorithms: [], materialLength: 64 },
  SM2: { usages: ['SIGN_VERIFY', 'ENCRYPT_DECRYPT', 'KEY_AGREEMENT'], available: false, encryptionAlgorithms: ['SM2PKE'], materialLength: 0 },
  ML_DSA_44: { usages: ['SIGN_VERIFY'], available: true, encryptionAlgorithms: [], materialLength: 0 },
  ML_DSA_65: { usages: ['SIGN_VERIFY'], available: true, encryptionAlgorithms: [], materialLength: 0 },
  ML_DSA_87: { usages: ['SIGN_VERIFY'], available: true, encryptionAlgorithms: [], materialLength: 0 },
  ML_KEM_512: { usages: ['ENCAPSULATE_DECAPSULATE'], available: true, encryptionAlgorithms: [], materialLength: 0 },
  ML_KEM_768: { usages: ['ENCAPSULATE_DECAPSULATE'], available: true, encryptionAlgorithms: [], materialLength: 0 },
  ML_KEM_1024: { usages: ['ENCAPSULATE_DECAPSULATE'], available: true, encryptionAlgorithms: [], materialLength: 0 },
};

export interface Tag {
  readonly key: string;
  readonly value: string;
}

/** A key as stored: metadata only; material lives in versions, wrapped. */
export interface KeyRecord {
  readonly id: string;
  /** The region the key lives in (ADR 0022): a key is found only by requests of its region. */
  readonly region: string;
  /** A multi-Region key's primary region (the same in all its regional keys); undefined for a single-Region key. */
  readonly primaryRegion?: string | undefined;
  readonly createdAt: Date;
  readonly description: string;
  readonly keySpec: KeySpec;
  readonly keyUsage: KeyUsage;
  readonly origin: Origin;
  readonly state: KeyState;
  /** The newest version, used for new ciphertexts; versions are 1-based. */
  readonly primaryVersion: number;
  readonly deletionDate?: Date | undefined;
  /** The key policy document (JSON text). */
  readonly policy: string;
}

/** One generation of a key's material, as stored: wrapped under a domain key version. */
export interface StoredKeyVersion {
  readonly keyId: string;
  readonly version: number;
  readonly domainKeyVersion: number;
  readonly wrappedMaterial: Buffer;
  readonly createdAt: Date;
}

export interface AliasRecord {
  /** Alias names are unique per region (ADR 0022). */
  readonly region: string;
  readonly name: string;
  readonly keyId: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}
