import { generateKeyPair, privateKeyOf, publicKeyOf, type AsymmetricKey } from '../crypto/asymmetric-keys.js';
import { randomSecret } from '../crypto/random.js';
import type { SecretBytes } from '../crypto/secret-bytes.js';
import { KEY_CAPABILITIES, keyPairOf, requireSpecRuntime } from '../core/key-capabilities.js';
import { KEY_SPEC_INFO, type KeyRecord, type KeySpec } from '../core/key.js';
import { primaryMaterial, type MaterialDeps } from './material.js';

/**
 * Material of the non-symmetric key specs. Asymmetric keys store their private key as PKCS#8 DER, HMAC
 * keys their random key bytes; both are wrapped per key version exactly like symmetric material, and the
 * public key is derived from the private key when asked for, so nothing else is stored.
 */

/** Fresh material for a new key version of `spec`: a generated key pair's PKCS#8 DER, or random bytes. */
export async function newKeyMaterial(spec: KeySpec): Promise<SecretBytes> {
  const pair = KEY_CAPABILITIES[spec].keyPair;
  if (pair === undefined) return randomSecret(KEY_SPEC_INFO[spec].materialLength);
  requireSpecRuntime(spec);
  return (await generateKeyPair(pair)).privateKey;
}

/** How many parsed key versions are kept by default. */
export const PARSED_KEY_CACHE_LIMIT = 1024;

interface Parsed {
  /** The cached material the keys were parsed from: a hit counts only while the hierarchy still holds it. */
  readonly material: SecretBytes;
  readonly privateKey: AsymmetricKey;
  readonly publicKey: AsymmetricKey;
}

/**
 * Parsed key objects of asymmetric key versions, so that Sign, Decrypt and DeriveSharedSecret do not
 * re-parse PKCS#8 on every call. Bounded (least recently used out first). An entry is valid only while
 * the key hierarchy still caches the very material it was parsed from, so every invalidation of that
 * cache (eviction, forgetKey on disable/deletion/destruction, seal) invalidates it too; {@link forget}
 * and {@link clear}, called on those events, also release the key objects at once.
 */
export class ParsedKeyCache {
  readonly #limit: number;
  readonly #entries = new Map<string, Parsed>();
  /** How many times PKCS#8 was parsed (a miss): for tests that pin the cache. */
  parses = 0;

  constructor(limit = PARSED_KEY_CACHE_LIMIT) {
    this.#limit = limit;
  }

  /** The parsed keys of an asymmetric key's primary version. */
  async keysFor(deps: MaterialDeps, key: KeyRecord): Promise<Parsed> {
    keyPairOf(key);
    const material = await primaryMaterial(deps, key);
    const id = `${key.id}#${key.primaryVersion}`;
    const hit = this.#entries.get(id);
    if (hit !== undefined && hit.material === material) {
      this.#entries.delete(id); // re-insert: most recently used last
      this.#entries.set(id, hit);
      return hit;
    }
    this.parses++;
    const parsed: Parsed = { material, privateKey: privateKeyOf(material), publicKey: publicKeyOf(material) };
    this.#entries.delete(id);
    if (this.#entries.size >= this.#limit) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(id, parsed);
    return parsed;
  }

  /** Drops a key's parsed versions (its material was forgotten), or all of them (`undefined`: sealed). */
  forget(keyId: string | undefined): void {
    if (keyId === undefined) {
      this.#entries.clear();
      return;
    }
    for (const id of [...this.#entries.keys()]) if (id.startsWith(`${keyId}#`)) this.#entries.delete(id);
  }

  get size(): number {
    return this.#entries.size;
  }
}
