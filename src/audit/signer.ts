import { AUDIT_SIGNING_KEY_BINDING } from '../core/bindings.js';
import type { AuditSigningKeyStore, Keyring, TreeHeadSigner } from '../core/ports.js';
import { ed25519PublicOf, ed25519Sign, generateEd25519 } from '../crypto/ed25519.js';
import type { SecretBytes } from '../crypto/secret-bytes.js';

const BINDING = AUDIT_SIGNING_KEY_BINDING;

/** The Ed25519 key that signs tree heads, unwrapped in memory for the life of the process. */
export class AuditTreeHeadSigner implements TreeHeadSigner {
  readonly publicKey: Buffer;
  readonly #privateKey: SecretBytes;

  private constructor(privateKey: SecretBytes, publicKey: Buffer) {
    this.#privateKey = privateKey;
    this.publicKey = publicKey;
  }

  /**
   * Loads the trail's signing key, generating it on first use. The private key is stored only wrapped
   * under the domain keys (and so under the root of trust); a stored public key that does not match the
   * unwrapped private key is refused.
   */
  static async open(store: AuditSigningKeyStore, keyring: Keyring): Promise<AuditTreeHeadSigner> {
    const stored = await store.getSigningKey();
    if (stored !== undefined) {
      const privateKey = await keyring.unwrap(stored.wrapped, BINDING);
      if (!ed25519PublicOf(privateKey).equals(stored.publicKey)) {
        privateKey.dispose();
        throw new Error('the stored audit signing public key does not match its private key');
      }
      return new AuditTreeHeadSigner(privateKey, stored.publicKey);
    }
    const pair = generateEd25519();
    await store.putSigningKey(pair.publicKey, await keyring.wrap(pair.privateKeyDer, BINDING));
    return new AuditTreeHeadSigner(pair.privateKeyDer, pair.publicKey);
  }

  sign(message: Uint8Array): Buffer {
    return ed25519Sign(this.#privateKey, message);
  }

  /** Zeroes the private key; signing afterwards throws. */
  dispose(): void {
    this.#privateKey.dispose();
  }
}
