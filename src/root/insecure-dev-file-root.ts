import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { writeFileDurably } from '../platform/durable-file.js';
import { unwrapSecret, wrapSecret } from '../crypto/key-wrap.js';
import { randomSecret } from '../crypto/random.js';
import { SecretBytes } from '../crypto/secret-bytes.js';
import { rootWrapBinding } from '../core/bindings.js';
import { KmsError, sealed } from '../core/errors.js';
import type { RootOfTrust } from '../core/ports.js';

const BANNER = 'ARCA INSECURE DEV ROOT KEY: anyone who reads this file can decrypt every key. Never use it in production.\n';

/**
 * INSECURE, for `arca dev` only: the root key lives in plaintext (hex) in a file in the data directory,
 * so the service is unsealed at start with no custodian. `arca server` uses Shamir shares or an HSM.
 */
export class InsecureDevFileRootOfTrust implements RootOfTrust {
  readonly kind = 'insecure-dev-file' as const;
  readonly #rootKey: SecretBytes;

  private constructor(rootKey: SecretBytes) {
    this.#rootKey = rootKey;
  }

  /**
   * Reads the root key from `path`, creating the file (mode 0600) with a fresh key if it is absent. The
   * new file is durable (fsynced, renamed into place, directory fsynced) before this returns, so before
   * the database wraps anything under it: a power cut can never leave keys wrapped under a lost root.
   */
  static openOrCreate(path: string): InsecureDevFileRootOfTrust {
    if (!existsSync(path)) {
      const fresh = randomSecret(32);
      try {
        writeFileDurably(path, BANNER + fresh.expose().toString('hex') + '\n', { mode: 0o600, exclusive: true });
      } finally {
        fresh.dispose();
      }
    }
    chmodSync(path, 0o600);
    const lines = readFileSync(path, 'utf8').split('\n');
    const hex = lines.find((l) => /^[0-9a-f]{64}$/.test(l.trim()))?.trim();
    if (hex === undefined) throw new Error(`${path} does not hold a dev root key`);
    return new InsecureDevFileRootOfTrust(SecretBytes.adopt(Buffer.from(hex, 'hex')));
  }

  isSealed(): boolean {
    return this.#rootKey.disposed;
  }

  async wrap(domainKey: SecretBytes, binding: Uint8Array): Promise<Buffer> {
    return wrapSecret(this.#key(), domainKey, rootWrapBinding(binding));
  }

  async unwrap(wrapped: Uint8Array, binding: Uint8Array): Promise<SecretBytes> {
    const plain = unwrapSecret(this.#key(), wrapped, rootWrapBinding(binding));
    if (plain === undefined) throw new KmsError('Internal', 'a domain key failed to unwrap under the dev root key (wrong root file?)');
    return plain;
  }

  #key(): SecretBytes {
    if (this.#rootKey.disposed) throw sealed();
    return this.#rootKey;
  }

  seal(): void {
    this.#rootKey.dispose();
  }
}
