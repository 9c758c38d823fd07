/**
 * KMIP Cryptographic Parameters → Arca's algorithms (docs/kmip.md). Encrypt and Decrypt use Arca's
 * authenticated ciphertext (AES-256-GCM with Arca's header, the same blob as the AWS API's Encrypt): a
 * client may name AES-GCM or nothing, and never chooses the nonce. Sign and SignatureVerify map the
 * Digital Signature Algorithm, or the Cryptographic Algorithm with its Hashing Algorithm and Padding
 * Method, to AWS's signing algorithm for the key's spec; MAC takes its algorithm from the HMAC key.
 */
import type { MacAlgorithm, SigningAlgorithm } from '../../core/key-capabilities.js';
import type { KeySpec } from '../../core/key.js';
import { KmipError } from './errors.js';
import { Fields, enumName } from './payload.js';
import { CRYPTOGRAPHIC_ALGORITHM, TAG } from './tags.js';
import { BLOCK_CIPHER_MODE, DIGITAL_SIGNATURE_ALGORITHM, HASHING_ALGORITHM, PADDING_METHOD } from './tags-crypto.js';

export interface CryptoParams {
  readonly mode?: keyof typeof BLOCK_CIPHER_MODE;
  readonly padding?: keyof typeof PADDING_METHOD;
  readonly hashing?: keyof typeof HASHING_ALGORITHM;
  readonly signature?: keyof typeof DIGITAL_SIGNATURE_ALGORITHM;
  readonly algorithm?: keyof typeof CRYPTOGRAPHIC_ALGORITHM;
}

/** The Cryptographic Parameters of a request payload (absent: none). */
export function cryptoParams(payload: Fields): CryptoParams {
  const p = payload.structure(TAG.CryptographicParameters);
  if (p === undefined) return {};
  const pick = <K extends string>(table: Readonly<Record<K, number>>, tag: number): K | undefined => {
    const v = p.enumeration(tag);
    return v === undefined ? undefined : enumName(table, v, tag);
  };
  return {
    mode: pick(BLOCK_CIPHER_MODE, TAG.BlockCipherMode),
    padding: pick(PADDING_METHOD, TAG.PaddingMethod),
    hashing: pick(HASHING_ALGORITHM, TAG.HashingAlgorithm),
    signature: pick(DIGITAL_SIGNATURE_ALGORITHM, TAG.DigitalSignatureAlgorithm),
    algorithm: pick(CRYPTOGRAPHIC_ALGORITHM, TAG.CryptographicAlgorithm),
  };
}

/** Encrypt and Decrypt: Arca's AES-256-GCM blob only; any other mode or a client nonce is refused. */
export function checkCipherParams(params: CryptoParams, payload: Fields): void {
  if (params.mode !== undefined && params.mode !== 'Gcm') throw new KmipError('InvalidField', `Block Cipher Mode ${params.mode.toUpperCase()} is not supported: Arca encrypts with AES-256-GCM into its own authenticated ciphertext`);
  if (params.algorithm !== undefined && params.algorithm !== 'Aes') throw new KmipError('InvalidField', `Cryptographic Algorithm ${params.algorithm} is not supported for Encrypt and Decrypt`);
  if (payload.bytes(TAG.IvCounterNonce) !== undefined) throw new KmipError('InvalidField', 'IV/Counter/Nonce is not accepted: Arca chooses a fresh random nonce for every encryption and keeps it in the ciphertext');
}

const SHA: Partial<Record<keyof typeof HASHING_ALGORITHM, '256' | '384' | '512'>> = { Sha256: '256', Sha384: '384', Sha512: '512' };

/** The hash a Digital Signature Algorithm names, and whether it is RSA PKCS#1 v1.5 / PSS / ECDSA. */
const BY_SIGNATURE: Record<keyof typeof DIGITAL_SIGNATURE_ALGORITHM, { kind: 'pkcs1' | 'pss' | 'ecdsa'; sha?: '256' | '384' | '512' }> = {
  Sha256WithRsaEncryption: { kind: 'pkcs1', sha: '256' },
  Sha384WithRsaEncryption: { kind: 'pkcs1', sha: '384' },
  Sha512WithRsaEncryption: { kind: 'pkcs1', sha: '512' },
  RsassaPss: { kind: 'pss' },
  EcdsaWithSha256: { kind: 'ecdsa', sha: '256' },
  EcdsaWithSha384: { kind: 'ecdsa', sha: '384' },
  EcdsaWithSha512: { kind: 'ecdsa', sha: '512' },
};

const EC_DEFAULT_SHA: Partial<Record<KeySpec, '256' | '384' | '512'>> = { ECC_NIST_P256: '256', ECC_SECG_P256K1: '256', ECC_NIST_P384: '384', ECC_NIST_P521: '512' };

/** AWS's signing algorithm for `params` on a key of `spec` (without parameters: the spec's usual one). */
export function signingAlgorithm(spec: KeySpec, params: CryptoParams): SigningAlgorithm {
  if (spec === 'ECC_NIST_EDWARDS25519') return 'ED25519_SHA_512';
  const named = params.signature === undefined ? undefined : BY_SIGNATURE[params.signature];
  const hashed = params.hashing === undefined ? undefined : SHA[params.hashing];
  if (params.hashing !== undefined && hashed === undefined) throw new KmipError('InvalidField', `Hashing Algorithm ${params.hashing} is not supported for signing (SHA-256, SHA-384, SHA-512)`);
  const sha = named?.sha ?? hashed;
  if (spec.startsWith('RSA_')) {
    const kind = named?.kind ?? (params.padding === 'Pss' ? 'pss' : params.padding === undefined || params.padding === 'Pkcs1v15' ? 'pkcs1' : undefined);
    if (kind === undefined || kind === 'ecdsa') throw new KmipError('InvalidField', `the signature parameters do not fit an RSA key (${spec})`);
    return `${kind === 'pss' ? 'RSASSA_PSS' : 'RSASSA_PKCS1_V1_5'}_SHA_${sha ?? '256'}`;
  }
  const ecSha = EC_DEFAULT_SHA[spec];
  if (ecSha !== undefined) {
    if (named !== undefined && named.kind !== 'ecdsa') throw new KmipError('InvalidField', `the signature parameters do not fit an ECDSA key (${spec})`);
    return `ECDSA_SHA_${sha ?? ecSha}`;
  }
  throw new KmipError('IllegalOperation', `a ${spec} key cannot sign through KMIP`);
}

const MACS: Partial<Record<KeySpec, MacAlgorithm>> = { HMAC_224: 'HMAC_SHA_224', HMAC_256: 'HMAC_SHA_256', HMAC_384: 'HMAC_SHA_384', HMAC_512: 'HMAC_SHA_512' };
const MAC_BY_ALGORITHM: Partial<Record<keyof typeof CRYPTOGRAPHIC_ALGORITHM, MacAlgorithm>> = { HmacSha224: 'HMAC_SHA_224', HmacSha256: 'HMAC_SHA_256', HmacSha384: 'HMAC_SHA_384', HmacSha512: 'HMAC_SHA_512' };

/** The MAC algorithm of an HMAC key; a Cryptographic Algorithm in the parameters must agree with it. */
export function macAlgorithm(spec: KeySpec, params: CryptoParams): MacAlgorithm {
  const own = MACS[spec];
  if (own === undefined) throw new KmipError('IllegalOperation', `a ${spec} key cannot compute MACs (HMAC keys can)`);
  if (params.algorithm !== undefined && MAC_BY_ALGORITHM[params.algorithm] !== own) throw new KmipError('InvalidField', `Cryptographic Algorithm ${params.algorithm} does not match the key (${spec})`);
  return own;
}
