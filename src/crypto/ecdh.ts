import { diffieHellman, type KeyObject } from 'node:crypto';
import { SecretBytes } from './secret-bytes.js';

/**
 * ECDH (SEC 1 §3.3.1, cofactor 1): the x-coordinate of d·Q, as AWS's DeriveSharedSecret returns it.
 * The peer key must already be parsed with `parsePublicKey` for the same curve, which refuses points off
 * the curve. Returns `undefined` if OpenSSL refuses the pair (mismatched curves, invalid point).
 */
export function ecdhSharedSecret(privateKey: KeyObject, peerPublicKey: KeyObject): SecretBytes | undefined {
  try {
    return SecretBytes.adopt(diffieHellman({ privateKey, publicKey: peerPublicKey }));
  } catch {
    return undefined;
  }
}
