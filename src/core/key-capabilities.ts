import type { KeyPairType } from '../crypto/asymmetric-keys.js';
import { MINIMUM_NODE_FOR_PQC, RUNTIME_VERSION, runtimeSupports, type MlKemParameterSet, type PostQuantumFamily } from '../crypto/post-quantum.js';
import type { OaepHash } from '../crypto/rsa-oaep.js';
import type { SignatureHash, SignatureScheme } from '../crypto/signature.js';
import { KmsError } from './errors.js';
import { KEY_SPEC_INFO, type EncryptionAlgorithm, type KeyRecord, type KeySpec, type KeyUsage } from './key.js';

/**
 * What each key spec can do beyond its usages (in KEY_SPEC_INFO): its key pair type, and the signing, MAC
 * and key agreement algorithms AWS allows for it. Capabilities are data; the checks below turn every
 * invalid combination into AWS's error.
 */

export const SIGNING_ALGORITHMS = [
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'ECDSA_SHA_256',
  'ECDSA_SHA_384',
  'ECDSA_SHA_512',
  'ED25519_SHA_512',
  'ED25519_PH_SHA_512',
  'SM2DSA',
  'ML_DSA_SHAKE_256',
] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export const MAC_ALGORITHMS = ['HMAC_SHA_224', 'HMAC_SHA_256', 'HMAC_SHA_384', 'HMAC_SHA_512'] as const;
export type MacAlgorithm = (typeof MAC_ALGORITHMS)[number];

export const KEY_AGREEMENT_ALGORITHMS = ['ECDH'] as const;
export type KeyAgreementAlgorithm = (typeof KEY_AGREEMENT_ALGORITHMS)[number];

export const ENCAPSULATION_ALGORITHMS = ['ML_KEM'] as const;
export type EncapsulationAlgorithm = (typeof ENCAPSULATION_ALGORITHMS)[number];

export const DATA_KEY_PAIR_SPECS = ['RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1', 'ECC_NIST_EDWARDS25519', 'SM2'] as const;
export type DataKeyPairSpec = (typeof DATA_KEY_PAIR_SPECS)[number];

export interface KeyCapabilities {
  /** The key pair behind an asymmetric spec; `undefined` for symmetric and HMAC specs (and SM2, not built). */
  readonly keyPair: KeyPairType | undefined;
  readonly signing: readonly SigningAlgorithm[];
  readonly mac: readonly MacAlgorithm[];
  readonly keyAgreement: readonly KeyAgreementAlgorithm[];
  readonly encapsulation: readonly EncapsulationAlgorithm[];
}

const RSA_SIGNING: readonly SigningAlgorithm[] = ['RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512', 'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512'];
const none = { signing: [], mac: [], keyAgreement: [], encapsulation: [] } as const;

export const KEY_CAPABILITIES: Record<KeySpec, KeyCapabilities> = {
  SYMMETRIC_DEFAULT: { keyPair: undefined, ...none },
  RSA_2048: { keyPair: { kind: 'rsa', bits: 2048 }, ...none, signing: RSA_SIGNING },
  RSA_3072: { keyPair: { kind: 'rsa', bits: 3072 }, ...none, signing: RSA_SIGNING },
  RSA_4096: { keyPair: { kind: 'rsa', bits: 4096 }, ...none, signing: RSA_SIGNING },
  ECC_NIST_P256: { keyPair: { kind: 'ec', curve: 'P-256' }, ...none, signing: ['ECDSA_SHA_256'], keyAgreement: ['ECDH'] },
  ECC_NIST_P384: { keyPair: { kind: 'ec', curve: 'P-384' }, ...none, signing: ['ECDSA_SHA_384'], keyAgreement: ['ECDH'] },
  ECC_NIST_P521: { keyPair: { kind: 'ec', curve: 'P-521' }, ...none, signing: ['ECDSA_SHA_512'], keyAgreement: ['ECDH'] },
  ECC_SECG_P256K1: { keyPair: { kind: 'ec', curve: 'secp256k1' }, ...none, signing: ['ECDSA_SHA_256'] },
  // ED25519_SHA_512 signs RAW messages only, ED25519_PH_SHA_512 (Ed25519ph) 64-byte SHA-512 DIGESTs only.
  ECC_NIST_EDWARDS25519: { keyPair: { kind: 'ed25519' }, ...none, signing: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] },
  HMAC_224: { keyPair: undefined, ...none, mac: ['HMAC_SHA_224'] },
  HMAC_256: { keyPair: undefined, ...none, mac: ['HMAC_SHA_256'] },
  HMAC_384: { keyPair: undefined, ...none, mac: ['HMAC_SHA_384'] },
  HMAC_512: { keyPair: undefined, ...none, mac: ['HMAC_SHA_512'] },
  SM2: { keyPair: undefined, ...none },
  ML_DSA_44: { keyPair: { kind: 'ml-dsa', set: 'ml-dsa-44' }, ...none, signing: ['ML_DSA_SHAKE_256'] },
  ML_DSA_65: { keyPair: { kind: 'ml-dsa', set: 'ml-dsa-65' }, ...none, signing: ['ML_DSA_SHAKE_256'] },
  ML_DSA_87: { keyPair: { kind: 'ml-dsa', set: 'ml-dsa-87' }, ...none, signing: ['ML_DSA_SHAKE_256'] },
  ML_KEM_512: { keyPair: { kind: 'ml-kem', set: 'ml-kem-512' }, ...none, encapsulation: ['ML_KEM'] },
  ML_KEM_768: { keyPair: { kind: 'ml-kem', set: 'ml-kem-768' }, ...none, encapsulation: ['ML_KEM'] },
  ML_KEM_1024: { keyPair: { kind: 'ml-kem', set: 'ml-kem-1024' }, ...none, encapsulation: ['ML_KEM'] },
};

/** How each signing algorithm signs; `undefined` for the ones Arca does not implement. */
const SIGNING_SCHEME: Record<SigningAlgorithm, { readonly family: 'rsa-pss' | 'rsa-pkcs1' | 'ecdsa'; readonly hash: SignatureHash } | { readonly family: 'ed25519' | 'ed25519ph' | 'ml-dsa' } | undefined> = {
  RSASSA_PSS_SHA_256: { family: 'rsa-pss', hash: 'sha256' },
  RSASSA_PSS_SHA_384: { family: 'rsa-pss', hash: 'sha384' },
  RSASSA_PSS_SHA_512: { family: 'rsa-pss', hash: 'sha512' },
  RSASSA_PKCS1_V1_5_SHA_256: { family: 'rsa-pkcs1', hash: 'sha256' },
  RSASSA_PKCS1_V1_5_SHA_384: { family: 'rsa-pkcs1', hash: 'sha384' },
  RSASSA_PKCS1_V1_5_SHA_512: { family: 'rsa-pkcs1', hash: 'sha512' },
  ECDSA_SHA_256: { family: 'ecdsa', hash: 'sha256' },
  ECDSA_SHA_384: { family: 'ecdsa', hash: 'sha384' },
  ECDSA_SHA_512: { family: 'ecdsa', hash: 'sha512' },
  ED25519_SHA_512: { family: 'ed25519' },
  ED25519_PH_SHA_512: { family: 'ed25519ph' },
  SM2DSA: undefined,
  ML_DSA_SHAKE_256: { family: 'ml-dsa' },
};

export const MAC_HASH: Record<MacAlgorithm, 'sha224' | 'sha256' | 'sha384' | 'sha512'> = {
  HMAC_SHA_224: 'sha224',
  HMAC_SHA_256: 'sha256',
  HMAC_SHA_384: 'sha384',
  HMAC_SHA_512: 'sha512',
};

export const OAEP_HASH: Record<EncryptionAlgorithm, OaepHash | undefined> = {
  SYMMETRIC_DEFAULT: undefined,
  RSAES_OAEP_SHA_1: 'sha1',
  RSAES_OAEP_SHA_256: 'sha256',
  SM2PKE: undefined,
};

/** AWS's answer when a key's usage does not allow an operation: InvalidKeyUsageException. */
export function requireKeyUsage(key: KeyRecord, arn: string, usage: KeyUsage, operation: string): void {
  if (key.keyUsage !== usage) throw new KmsError('InvalidKeyUsage', `${arn} key usage is ${key.keyUsage} which is not valid for ${operation}.`);
}

/** The node:crypto family a spec needs beyond what every supported Node.js has, if any. */
function postQuantumFamily(spec: KeySpec): PostQuantumFamily | undefined {
  const kind = KEY_CAPABILITIES[spec].keyPair?.kind;
  return kind === 'ml-dsa' || kind === 'ml-kem' ? kind : undefined;
}

/** Whether this runtime can make and use keys of `spec` (ML-DSA and ML-KEM need Node.js 24.7 or later). */
export function specRuntimeSupported(spec: KeySpec, supports: (family: PostQuantumFamily) => boolean = runtimeSupports): boolean {
  const family = postQuantumFamily(spec);
  return family === undefined || supports(family);
}

/**
 * Refuses a key spec this runtime's node:crypto cannot do, naming the runtime: CreateKey and every
 * cryptographic operation on such a key answer it (a store made under Node.js 24 and served by 20).
 */
export function requireSpecRuntime(spec: KeySpec, supports: (family: PostQuantumFamily) => boolean = runtimeSupports, runtime = RUNTIME_VERSION): void {
  if (!specRuntimeSupported(spec, supports)) {
    throw new KmsError('UnsupportedOperation', `${spec} keys need Node.js ${MINIMUM_NODE_FOR_PQC} or later; this server runs ${runtime}.`);
  }
}

/** The key pair type of an asymmetric key (the pipeline already checked the usage, so the spec has one), on a runtime that can use it. */
export function keyPairOf(key: KeyRecord): KeyPairType {
  const pair = KEY_CAPABILITIES[key.keySpec].keyPair;
  if (pair === undefined) throw new KmsError('UnsupportedOperation', `KeySpec ${key.keySpec} is not supported for this operation.`);
  requireSpecRuntime(key.keySpec);
  return pair;
}

/** The ML-KEM parameter set of an ENCAPSULATE_DECAPSULATE key for `algorithm`, on a runtime that has ML-KEM. */
export function encapsulationFor(key: KeyRecord, arn: string, algorithm: EncapsulationAlgorithm, operation: string): MlKemParameterSet {
  requireKeyUsage(key, arn, 'ENCAPSULATE_DECAPSULATE', operation);
  const caps = KEY_CAPABILITIES[key.keySpec];
  const pair = caps.keyPair;
  if (!caps.encapsulation.includes(algorithm) || pair?.kind !== 'ml-kem') {
    throw new KmsError('InvalidKeyUsage', `Encapsulation algorithm ${algorithm} is not compatible with ${arn}, whose key spec ${key.keySpec} supports ${caps.encapsulation.join(', ')}.`);
  }
  requireSpecRuntime(key.keySpec);
  return pair.set;
}

/** The signature scheme for a SIGN_VERIFY key and algorithm; InvalidKeyUsage for an algorithm the spec does not support. */
export function signingSchemeFor(key: KeyRecord, arn: string, algorithm: SigningAlgorithm, operation: string): SignatureScheme {
  requireKeyUsage(key, arn, 'SIGN_VERIFY', operation);
  const caps = KEY_CAPABILITIES[key.keySpec];
  const scheme = SIGNING_SCHEME[algorithm];
  const pair = caps.keyPair;
  if (!caps.signing.includes(algorithm) || scheme === undefined || pair === undefined) {
    throw new KmsError('InvalidKeyUsage', `Signing algorithm ${algorithm} is not compatible with ${arn}, whose key spec ${key.keySpec} supports ${caps.signing.join(', ')}.`);
  }
  requireSpecRuntime(key.keySpec);
  if (!('hash' in scheme)) return { kind: scheme.family };
  if (scheme.family === 'ecdsa') {
    if (pair.kind !== 'ec') throw new KmsError('Internal', `capability table: ${key.keySpec} is not an EC spec`);
    return { kind: 'ecdsa', hash: scheme.hash, curve: pair.curve };
  }
  return { kind: scheme.family, hash: scheme.hash };
}

/** The OAEP hash for an ENCRYPT_DECRYPT RSA key and algorithm; InvalidKeyUsage for anything else. */
export function oaepHashFor(key: KeyRecord, arn: string, algorithm: EncryptionAlgorithm | undefined): OaepHash {
  const hash = OAEP_HASH[algorithm ?? 'SYMMETRIC_DEFAULT'];
  const supported = KEY_SPEC_INFO[key.keySpec].encryptionAlgorithms;
  if (hash === undefined || algorithm === undefined || !supported.includes(algorithm)) {
    throw new KmsError('InvalidKeyUsage', `The encryption algorithm ${algorithm ?? 'SYMMETRIC_DEFAULT'} is not valid for ${arn}, which supports ${supported.join(', ')}.`);
  }
  return hash;
}

/** The hash for a GENERATE_VERIFY_MAC key and algorithm; InvalidKeyUsage for an algorithm of another spec. */
export function macHashFor(key: KeyRecord, arn: string, algorithm: MacAlgorithm, operation: string): MacAlgorithm {
  requireKeyUsage(key, arn, 'GENERATE_VERIFY_MAC', operation);
  const supported = KEY_CAPABILITIES[key.keySpec].mac;
  if (!supported.includes(algorithm)) {
    throw new KmsError('InvalidKeyUsage', `MAC algorithm ${algorithm} is not compatible with ${arn}, which supports ${supported.join(', ')}.`);
  }
  return algorithm;
}

/** The algorithm lists AWS returns in KeyMetadata and GetPublicKey for a key, by its usage. */
export function algorithmLists(key: Pick<KeyRecord, 'keySpec' | 'keyUsage'>): {
  EncryptionAlgorithms?: EncryptionAlgorithm[];
  SigningAlgorithms?: SigningAlgorithm[];
  MacAlgorithms?: MacAlgorithm[];
  KeyAgreementAlgorithms?: KeyAgreementAlgorithm[];
  EncapsulationAlgorithms?: EncapsulationAlgorithm[];
} {
  const caps = KEY_CAPABILITIES[key.keySpec];
  switch (key.keyUsage) {
    case 'ENCRYPT_DECRYPT':
      return { EncryptionAlgorithms: [...KEY_SPEC_INFO[key.keySpec].encryptionAlgorithms] };
    case 'SIGN_VERIFY':
      return { SigningAlgorithms: [...caps.signing] };
    case 'GENERATE_VERIFY_MAC':
      return { MacAlgorithms: [...caps.mac] };
    case 'KEY_AGREEMENT':
      return { KeyAgreementAlgorithms: [...caps.keyAgreement] };
    case 'ENCAPSULATE_DECAPSULATE':
      return { EncapsulationAlgorithms: [...caps.encapsulation] };
  }
}
