import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { SecretBytes } from './secret-bytes.js';

/** An Ed25519 key pair: the private key as its PKCS#8 DER (secret), the public key as raw 32 bytes. */
export interface Ed25519KeyPair {
  readonly privateKeyDer: SecretBytes;
  readonly publicKey: Buffer;
}

export function generateEd25519(): Ed25519KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  return { privateKeyDer: SecretBytes.adopt(der), publicKey: rawPublicKey(publicKey.export({ format: 'der', type: 'spki' })) };
}

function rawPublicKey(spki: Buffer): Buffer {
  return Buffer.from(spki.subarray(spki.length - 32));
}

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The raw public key of a PKCS#8 Ed25519 private key. */
export function ed25519PublicOf(privateKeyDer: SecretBytes): Buffer {
  const key = createPrivateKey({ key: privateKeyDer.expose(), format: 'der', type: 'pkcs8' });
  return rawPublicKey(createPublicKey(key).export({ format: 'der', type: 'spki' }));
}

/** Signs `message` with a PKCS#8 Ed25519 private key. */
export function ed25519Sign(privateKeyDer: SecretBytes, message: Uint8Array): Buffer {
  return sign(null, message, createPrivateKey({ key: privateKeyDer.expose(), format: 'der', type: 'pkcs8' }));
}

/** Whether `signature` is a valid Ed25519 signature of `message` by the raw 32-byte `publicKey`; never throws. */
export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    return verify(null, message, createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' }), signature);
  } catch {
    return false;
  }
}
