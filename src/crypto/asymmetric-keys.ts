import { createPrivateKey, createPublicKey, generateKeyPair as generateKeyPairCb, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { postQuantumKeyPair, type MlDsaParameterSet, type MlKemParameterSet } from './post-quantum.js';
import { SecretBytes } from './secret-bytes.js';

const generateKeyPairAsync = promisify(generateKeyPairCb);

/** A parsed private or public key (node:crypto's KeyObject, named here so other layers need not import node:crypto). */
export type AsymmetricKey = KeyObject;

/** The elliptic curves Arca uses, by their JOSE/NIST names (node:crypto accepts these as `namedCurve`). */
export type CurveName = 'P-256' | 'P-384' | 'P-521' | 'secp256k1';

/** What a key pair is, independent of AWS's spec names (the core maps those onto this). */
export type KeyPairType =
  | { readonly kind: 'rsa'; readonly bits: 2048 | 3072 | 4096 }
  | { readonly kind: 'ec'; readonly curve: CurveName }
  | { readonly kind: 'ed25519' }
  | { readonly kind: 'ml-dsa'; readonly set: MlDsaParameterSet }
  | { readonly kind: 'ml-kem'; readonly set: MlKemParameterSet };

/** OpenSSL's names for the curves, as `asymmetricKeyDetails.namedCurve` reports them. */
const OPENSSL_CURVE: Record<CurveName, string> = {
  'P-256': 'prime256v1',
  'P-384': 'secp384r1',
  'P-521': 'secp521r1',
  secp256k1: 'secp256k1',
};

export interface GeneratedKeyPair {
  /** PKCS#8 DER (`PrivateKeyInfo`): what Arca stores wrapped as a key version's material. */
  readonly privateKey: SecretBytes;
  /** DER `SubjectPublicKeyInfo`. */
  readonly publicKey: Buffer;
}

/** A fresh key pair from OpenSSL's generator (run off the event loop: RSA-4096 takes a while). */
export async function generateKeyPair(type: KeyPairType): Promise<GeneratedKeyPair> {
  let pair: { publicKey: KeyObject; privateKey: KeyObject };
  switch (type.kind) {
    case 'rsa':
      pair = await generateKeyPairAsync('rsa', { modulusLength: type.bits, publicExponent: 65537 });
      break;
    case 'ec':
      pair = await generateKeyPairAsync('ec', { namedCurve: type.curve });
      break;
    case 'ed25519':
      pair = await generateKeyPairAsync('ed25519', {});
      break;
    case 'ml-dsa':
    case 'ml-kem':
      pair = postQuantumKeyPair(type.set); // fast: a seed and one matrix expansion
      break;
  }
  return { privateKey: SecretBytes.adopt(pair.privateKey.export({ type: 'pkcs8', format: 'der' })), publicKey: spkiDer(pair.publicKey) };
}

/**
 * Parsed private keys, per material object. The material cache in the key hierarchy owns the
 * SecretBytes; a disposed one is never used again (checked below), and the WeakMap lets the parsed key
 * go with it. OpenSSL's copy inside a KeyObject cannot be zeroed from JavaScript: that is the price of
 * not re-parsing PKCS#8 on every Sign.
 */
const parsedPrivate = new WeakMap<SecretBytes, KeyObject>();
const parsedPublic = new WeakMap<SecretBytes, KeyObject>();

/** The private key in a PKCS#8 DER material. Throws if the material is not a PKCS#8 private key. */
export function privateKeyOf(material: SecretBytes): KeyObject {
  const bytes = material.expose(); // throws once disposed
  let key = parsedPrivate.get(material);
  if (key === undefined) {
    key = createPrivateKey({ key: bytes, format: 'der', type: 'pkcs8' });
    parsedPrivate.set(material, key);
  }
  return key;
}

/** The public half of a PKCS#8 DER material. */
export function publicKeyOf(material: SecretBytes): KeyObject {
  let key = parsedPublic.get(material);
  if (key === undefined) {
    key = createPublicKey(privateKeyOf(material));
    parsedPublic.set(material, key);
  }
  material.expose();
  return key;
}

/** DER SubjectPublicKeyInfo of a key. */
export function spkiDer(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

/** Whether a parsed key is of `type` (algorithm, modulus size or curve). */
export function keyMatches(key: KeyObject, type: KeyPairType): boolean {
  const details = key.asymmetricKeyDetails;
  switch (type.kind) {
    case 'rsa':
      return key.asymmetricKeyType === 'rsa' && details?.modulusLength === type.bits;
    case 'ec':
      return key.asymmetricKeyType === 'ec' && details?.namedCurve === OPENSSL_CURVE[type.curve];
    case 'ed25519':
      return key.asymmetricKeyType === 'ed25519';
    case 'ml-dsa':
    case 'ml-kem':
      // @types/node 20 does not list the post-quantum key types.
      return String(key.asymmetricKeyType) === type.set;
  }
}

/**
 * Parses a DER SubjectPublicKeyInfo and checks it is a key of `type`; `undefined` for anything else.
 * OpenSSL refuses EC points that are not on the named curve (or are the point at infinity) while
 * decoding; on top of that the encoding must be canonical (named curve, uncompressed point, DER): a key
 * that re-encodes differently is refused, which rules out explicit curve parameters with a modified
 * cofactor or generator. The Wycheproof ECDH vectors pin both.
 */
export function parsePublicKey(spki: Uint8Array, type: KeyPairType): KeyObject | undefined {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
  return keyMatches(key, type) && spkiDer(key).equals(spki) ? key : undefined;
}

/**
 * Parses PKCS#8 DER private key material (imported or generated) and checks it is a key of `type`;
 * `undefined` for anything else.
 */
export function parsePrivateKey(pkcs8: SecretBytes, type: KeyPairType): KeyObject | undefined {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pkcs8.expose(), format: 'der', type: 'pkcs8' });
  } catch {
    return undefined;
  }
  return keyMatches(key, type) ? key : undefined;
}
