import { createHash, createPublicKey, type KeyObject } from 'node:crypto';

/**
 * μ of `message` for an ML-DSA public key, computed outside Arca as FIPS 204 defines it for pure ML-DSA
 * with an empty context (Algorithm 2 line 6 with M′ = 0x00 ‖ len(ctx) = 0x00 ‖ M, then Algorithm 7 line 6):
 * μ = SHAKE256(tr ‖ M′, 64), tr = SHAKE256(pk, 64). The raw public key pk comes from node:crypto's JWK
 * export (`kty: AKP`, `pub`), not from Arca's SPKI parsing. Node.js 24.7 or later.
 */
export function externalMu(publicKey: KeyObject | Uint8Array, message: Uint8Array): Buffer {
  const key = publicKey instanceof Uint8Array ? createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' }) : publicKey;
  const jwk = key.export({ format: 'jwk' }) as Record<string, unknown>;
  if (jwk['kty'] !== 'AKP' || typeof jwk['pub'] !== 'string') throw new Error('not an ML-DSA public key');
  const tr = createHash('shake256', { outputLength: 64 }).update(Buffer.from(jwk['pub'], 'base64url')).digest();
  return createHash('shake256', { outputLength: 64 }).update(tr).update(Buffer.from([0, 0])).update(message).digest();
}
