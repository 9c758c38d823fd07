import type { Keyring } from '../../src/core/ports.js';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';

/** A keyring that "wraps" by prefixing the binding: unwrapping under another binding fails, as the real one does. */
export const prefixKeyring: Keyring = {
  wrap: async (secret, binding) => ({ domainKeyVersion: 1, wrapped: Buffer.concat([Buffer.from(binding), secret.expose()]) }),
  unwrap: async (w, binding) => {
    if (!w.wrapped.subarray(0, binding.length).equals(Buffer.from(binding))) throw new Error('does not unwrap');
    return SecretBytes.copyOf(w.wrapped.subarray(binding.length));
  },
};
