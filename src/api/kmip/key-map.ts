/**
 * Arca key specs and usages ↔ KMIP object types, algorithms, lengths and usage masks (docs/kmip.md).
 * Create and Register make symmetric keys only: AES-256 (SYMMETRIC_DEFAULT) and HMAC keys; keys made
 * through the AWS API (RSA, ECC, Ed25519) are KMIP Private Keys that Sign and SignatureVerify can use.
 */
import type { KeySpec, KeyUsage } from '../../core/key.js';
import { KmipError } from './errors.js';
import { CRYPTOGRAPHIC_ALGORITHM, CRYPTOGRAPHIC_USAGE_MASK as MASK, OBJECT_TYPE } from './tags.js';

type Algorithm = keyof typeof CRYPTOGRAPHIC_ALGORITHM;

export interface KmipKeyType {
  readonly objectType: keyof typeof OBJECT_TYPE;
  readonly algorithm?: Algorithm;
  readonly length?: number;
}

/** The KMIP view of each key spec Arca has (post-quantum keys have no KMIP algorithm yet). */
export const KMIP_KEY_TYPES: Record<KeySpec, KmipKeyType> = {
  SYMMETRIC_DEFAULT: { objectType: 'SymmetricKey', algorithm: 'Aes', length: 256 },
  HMAC_224: { objectType: 'SymmetricKey', algorithm: 'HmacSha224', length: 224 },
  HMAC_256: { objectType: 'SymmetricKey', algorithm: 'HmacSha256', length: 256 },
  HMAC_384: { objectType: 'SymmetricKey', algorithm: 'HmacSha384', length: 384 },
  HMAC_512: { objectType: 'SymmetricKey', algorithm: 'HmacSha512', length: 512 },
  RSA_2048: { objectType: 'PrivateKey', algorithm: 'Rsa', length: 2048 },
  RSA_3072: { objectType: 'PrivateKey', algorithm: 'Rsa', length: 3072 },
  RSA_4096: { objectType: 'PrivateKey', algorithm: 'Rsa', length: 4096 },
  ECC_NIST_P256: { objectType: 'PrivateKey', algorithm: 'Ecdsa', length: 256 },
  ECC_NIST_P384: { objectType: 'PrivateKey', algorithm: 'Ecdsa', length: 384 },
  ECC_NIST_P521: { objectType: 'PrivateKey', algorithm: 'Ecdsa', length: 521 },
  ECC_SECG_P256K1: { objectType: 'PrivateKey', algorithm: 'Ecdsa', length: 256 },
  ECC_NIST_EDWARDS25519: { objectType: 'PrivateKey', algorithm: 'Ed25519', length: 255 },
  SM2: { objectType: 'PrivateKey' },
  ML_DSA_44: { objectType: 'PrivateKey' },
  ML_DSA_65: { objectType: 'PrivateKey' },
  ML_DSA_87: { objectType: 'PrivateKey' },
  ML_KEM_512: { objectType: 'PrivateKey' },
  ML_KEM_768: { objectType: 'PrivateKey' },
  ML_KEM_1024: { objectType: 'PrivateKey' },
};

/** The usage mask of a key usage, when the client set none. */
export const USAGE_MASKS: Record<KeyUsage, number> = {
  ENCRYPT_DECRYPT: MASK.Encrypt | MASK.Decrypt,
  SIGN_VERIFY: MASK.Sign | MASK.Verify,
  GENERATE_VERIFY_MAC: MASK.MacGenerate | MASK.MacVerify,
  KEY_AGREEMENT: MASK.KeyAgreement,
  ENCAPSULATE_DECAPSULATE: MASK.Encrypt | MASK.Decrypt,
};

const HMAC_SPECS: Partial<Record<Algorithm, KeySpec>> = { HmacSha224: 'HMAC_224', HmacSha256: 'HMAC_256', HmacSha384: 'HMAC_384', HmacSha512: 'HMAC_512' };

/** Usage mask bits each kind of symmetric key may carry (key wrapping is encryption to Arca; Export is the Extractable attribute's business). */
const ALLOWED_BITS: Partial<Record<KeyUsage, number>> = {
  ENCRYPT_DECRYPT: MASK.Encrypt | MASK.Decrypt | MASK.WrapKey | MASK.UnwrapKey | MASK.Export,
  GENERATE_VERIFY_MAC: MASK.MacGenerate | MASK.MacVerify | MASK.Export,
};

/** The key spec and usage Create or Register makes for the client's algorithm, length and usage mask. */
export function specFor(algorithm: Algorithm | undefined, length: number | undefined, usageMask: number | undefined): { keySpec: KeySpec; keyUsage: KeyUsage } {
  if (algorithm === undefined) throw new KmipError('MissingData', 'Cryptographic Algorithm is required');
  let keySpec: KeySpec;
  if (algorithm === 'Aes') {
    if (length !== undefined && length !== 256) throw new KmipError('InvalidField', `Arca's AES keys are 256 bits (SYMMETRIC_DEFAULT); Cryptographic Length ${length} is not supported`);
    keySpec = 'SYMMETRIC_DEFAULT';
  } else {
    const hmac = HMAC_SPECS[algorithm];
    if (hmac === undefined) throw new KmipError('InvalidField', `Create and Register make AES-256 and HMAC keys; Cryptographic Algorithm ${algorithm} is not supported (asymmetric keys are made through the AWS API)`);
    const bits = KMIP_KEY_TYPES[hmac].length;
    if (length !== undefined && length !== bits) throw new KmipError('InvalidField', `an ${algorithm} key is ${bits} bits in Arca; Cryptographic Length ${length} is not supported`);
    keySpec = hmac;
  }
  const keyUsage: KeyUsage = keySpec === 'SYMMETRIC_DEFAULT' ? 'ENCRYPT_DECRYPT' : 'GENERATE_VERIFY_MAC';
  const allowed = ALLOWED_BITS[keyUsage] ?? 0;
  if (usageMask !== undefined && (usageMask & ~allowed) !== 0) {
    throw new KmipError('InvalidField', `Cryptographic Usage Mask 0x${usageMask.toString(16)} has bits a ${keySpec} key (${keyUsage}) cannot honour; allowed: 0x${allowed.toString(16)}`);
  }
  return { keySpec, keyUsage };
}
