import type { RootOfTrust } from '../../src/core/ports.js';
import { unwrapSecret, wrapSecret } from '../../src/crypto/key-wrap.js';
import { randomSecret } from '../../src/crypto/random.js';
import type { SecretBytes } from '../../src/crypto/secret-bytes.js';

/** A root of trust in memory for custody specs: a random key wraps the domain keys; `sealed` is settable. */
export class MemoryRoot implements RootOfTrust {
  readonly kind = 'insecure-dev-file' as const;
  readonly #key = randomSecret(32);
  sealed = false;
  isSealed(): boolean {
    return this.sealed;
  }
  async wrap(domainKey: SecretBytes, binding: Uint8Array): Promise<Buffer> {
    return wrapSecret(this.#key, domainKey, binding);
  }
  async unwrap(wrapped: Uint8Array, binding: Uint8Array): Promise<SecretBytes> {
    const out = unwrapSecret(this.#key, wrapped, binding);
    if (out === undefined) throw new Error('unwrap failed');
    return out;
  }
}
