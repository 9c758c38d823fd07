import { ML_KEM_CIPHERTEXT_LENGTH, mlKemDecapsulate, mlKemEncapsulate } from '../crypto/post-quantum.js';
import type { Decapsulator, Encapsulator, KeyHandle } from '../core/custody.js';
import { invalidCiphertext } from '../core/errors.js';
import { encapsulationFor, type EncapsulationAlgorithm } from '../core/key-capabilities.js';
import type { ParsedKeyCache } from './asymmetric-material.js';
import type { MaterialDeps } from './material.js';

/**
 * ML-KEM (FIPS 203) with an ENCAPSULATE_DECAPSULATE key, as AWS's Encapsulate and Decapsulate. Both
 * checks run when the factory is called (the operations' `check` steps call the same factories): the key's
 * usage, the algorithm, the runtime, and for Decapsulate the ciphertext's length, the only ciphertext
 * failure there is. A ciphertext of the right length always decapsulates: ML-KEM's implicit rejection
 * answers a tampered one with a pseudo-random secret, which the peers find out about when their keys differ.
 */

export function encapsulatorFor(deps: MaterialDeps, parsed: ParsedKeyCache, key: KeyHandle, algorithm: EncapsulationAlgorithm): Encapsulator {
  encapsulationFor(key.record, key.arn, algorithm, 'Encapsulate');
  return {
    encapsulate: async () => mlKemEncapsulate((await parsed.keysFor(deps, key.record)).publicKey),
  };
}

export function decapsulatorFor(deps: MaterialDeps, parsed: ParsedKeyCache, key: KeyHandle, algorithm: EncapsulationAlgorithm, ciphertext: Buffer): Decapsulator {
  const set = encapsulationFor(key.record, key.arn, algorithm, 'Decapsulate');
  // The one opaque decryption failure (DESIGN.md §7.5), though the lengths are public (FIPS 203 table 3).
  if (ciphertext.length !== ML_KEM_CIPHERTEXT_LENGTH[set]) throw invalidCiphertext();
  return {
    decapsulate: async () => mlKemDecapsulate((await parsed.keysFor(deps, key.record)).privateKey, ciphertext),
  };
}
