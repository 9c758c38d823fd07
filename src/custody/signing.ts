import { ML_DSA_MU_LENGTH } from '../crypto/ml-dsa-mu.js';
import { DIGEST_LENGTH, type SignatureInput, type SignatureScheme } from '../crypto/signature.js';
import type { MessageType } from '../core/custody.js';
import { assertNever, KmsError } from '../core/errors.js';
import type { SigningAlgorithm } from '../core/key-capabilities.js';
import type { KeyRecord } from '../core/key.js';

/** The length of the SHA-512 prehash Ed25519ph signs. */
const ED25519PH_DIGEST_LENGTH = 64;

const incompatibleWithAlgorithm = (type: MessageType, algorithm: SigningAlgorithm) => new KmsError('ValidationFailed', `Message type ${type} is incompatible with algorithm ${algorithm}.`);
const incompatibleWithSpec = (type: MessageType, key: KeyRecord) => new KmsError('ValidationFailed', `Message type ${type} is incompatible with key spec ${key.keySpec}.`);
const digestLength = (algorithm: SigningAlgorithm) => new KmsError('ValidationFailed', `Digest is invalid length for algorithm ${algorithm}.`);

/**
 * What the scheme signs for AWS's MessageType (default RAW), with AWS's refusals:
 * - RSA and ECDSA: a RAW message (up to 4096 bytes, checked by the schema) is hashed by the scheme; a
 *   DIGEST must be exactly the algorithm's digest length; EXTERNAL_MU is for ML-DSA only.
 * - ED25519_SHA_512 takes RAW only, ED25519_PH_SHA_512 a 64-byte SHA-512 DIGEST only.
 * - ML_DSA_SHAKE_256 takes RAW (pure ML-DSA, empty context) and EXTERNAL_MU, exactly 64 bytes of μ
 *   (FIPS 204 §6.2; "External Mu is invalid length for algorithm ML_DSA_SHAKE_256." otherwise), and
 *   refuses DIGEST ("Message type DIGEST is incompatible with key spec ML_DSA_44.", as AWS answers).
 */
export function signatureInputType(key: KeyRecord, scheme: SignatureScheme, algorithm: SigningAlgorithm, messageType: MessageType | undefined, length: number): SignatureInput['type'] {
  const type = messageType ?? 'RAW';
  switch (scheme.kind) {
    case 'ml-dsa':
      if (type === 'RAW') return 'message';
      if (type === 'DIGEST') throw incompatibleWithSpec(type, key);
      if (length !== ML_DSA_MU_LENGTH) throw new KmsError('ValidationFailed', `External Mu is invalid length for algorithm ${algorithm}.`);
      return 'mu';
    case 'ed25519':
      if (type !== 'RAW') throw incompatibleWithAlgorithm(type, algorithm);
      return 'message';
    case 'ed25519ph':
      if (type !== 'DIGEST') throw incompatibleWithAlgorithm(type, algorithm);
      if (length !== ED25519PH_DIGEST_LENGTH) throw digestLength(algorithm);
      return 'digest';
    case 'rsa-pss':
    case 'rsa-pkcs1':
    case 'ecdsa':
      if (type === 'RAW') return 'message';
      if (type === 'EXTERNAL_MU') throw incompatibleWithSpec(type, key);
      if (length !== DIGEST_LENGTH[scheme.hash]) throw digestLength(algorithm);
      return 'digest';
    default:
      return assertNever(scheme);
  }
}
