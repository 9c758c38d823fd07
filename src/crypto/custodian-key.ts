import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { sha256Hex } from './hash.js';
import { oaepDecrypt, oaepEncrypt, oaepMaxPlaintext } from './rsa-oaep.js';
import type { SecretBytes } from './secret-bytes.js';

/** The smallest RSA modulus a recovery custodian's key may have (NIST SP 800-57: 128-bit security). */
export const CUSTODIAN_MIN_BITS = 3072;

/**
 * The OAEP label of a share encrypted to a custodian: a ciphertext made for another purpose under the same
 * RSA key does not decrypt as a recovery share, and a recovery share decrypts nowhere else.
 */
const SHARE_LABEL = Buffer.from('arca-recovery-share/v1', 'utf8');

/** Why a custodian key was refused (not RSA, too small, not a key). */
export class CustodianKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CustodianKeyError';
  }
}

/** A recovery custodian's RSA public key: shares are encrypted to it with RSAES-OAEP-SHA256. */
export interface CustodianPublicKey {
  /** sha256 (hex) of the DER SubjectPublicKeyInfo: how the package names the custodian. */
  readonly fingerprint: string;
  readonly bits: number;
  /** RSAES-OAEP (SHA-256, MGF1-SHA-256, the recovery-share label). */
  encrypt(share: SecretBytes): Buffer;
}

/** A custodian's RSA private key, given at recovery time. */
export interface CustodianPrivateKey {
  /** The fingerprint of its public key (as in {@link CustodianPublicKey}). */
  readonly fingerprint: string;
  /** The share, or `undefined` for any failure (wrong key, altered ciphertext): one answer for all. */
  decrypt(ciphertext: Uint8Array): SecretBytes | undefined;
}

function fingerprintOf(publicKey: KeyObject): string {
  return sha256Hex(publicKey.export({ type: 'spki', format: 'der' }));
}

function rsaBits(key: KeyObject, what: string): number {
  if (key.asymmetricKeyType !== 'rsa') throw new CustodianKeyError(`${what} is a ${key.asymmetricKeyType ?? 'non-asymmetric'} key, not an RSA key`);
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < CUSTODIAN_MIN_BITS) throw new CustodianKeyError(`${what} is RSA-${bits}: a recovery custodian's key must be at least RSA-${CUSTODIAN_MIN_BITS}`);
  return bits;
}

/** Parses a custodian's public key (PEM: SPKI or PKCS#1; a private key PEM is refused). */
export function custodianPublicKey(pem: string | Buffer, what = 'the custodian key'): CustodianPublicKey {
  if (/PRIVATE KEY-----/.test(pem.toString())) throw new CustodianKeyError(`${what} is a PRIVATE key: give the custodian's public key (openssl rsa -pubout)`);
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new CustodianKeyError(`${what} is not a PEM public key`);
  }
  const bits = rsaBits(key, what);
  return {
    fingerprint: fingerprintOf(key),
    bits,
    encrypt: (share) => {
      if (share.length > oaepMaxPlaintext(bits, 'sha256')) throw new RangeError('the share is too long for RSA-OAEP under this key');
      return oaepEncrypt(key, 'sha256', share.expose(), SHARE_LABEL);
    },
  };
}

/** Parses a custodian's private key (PEM, PKCS#8 or PKCS#1, unencrypted). */
export function custodianPrivateKey(pem: string | Buffer, what = 'the custodian private key'): CustodianPrivateKey {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new CustodianKeyError(`${what} is not an unencrypted PEM private key`);
  }
  rsaBits(key, what);
  return { fingerprint: fingerprintOf(createPublicKey(key)), decrypt: (ciphertext) => oaepDecrypt(key, 'sha256', ciphertext, SHARE_LABEL) };
}
