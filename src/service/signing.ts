import { z } from 'zod';
import { DIGEST_LENGTH, type SignatureInput, type SignatureScheme } from '../crypto/signature.js';
import type { SecretBytes } from '../crypto/secret-bytes.js';
import { KmsError } from '../core/errors.js';
import { SIGNING_ALGORITHMS } from '../core/key-capabilities.js';

/** The shared input pieces and checks of Sign and Verify. */

export const signingAlgorithm = z.enum(SIGNING_ALGORITHMS);
export const messageType = z.enum(['RAW', 'DIGEST']).optional();

/**
 * What the scheme signs for AWS's MessageType: RAW messages (up to 4096 bytes, checked by the schema) are
 * hashed by the scheme; a DIGEST must be exactly the algorithm's digest length, and Ed25519 takes RAW only.
 */
export function signatureInput(scheme: SignatureScheme, algorithm: string, type: 'RAW' | 'DIGEST' | undefined, message: SecretBytes): SignatureInput {
  if ((type ?? 'RAW') === 'RAW') return { type: 'message', bytes: message.expose() };
  if (scheme.kind === 'ed25519') throw new KmsError('ValidationFailed', `The signing algorithm ${algorithm} requires MessageType RAW.`);
  if (message.length !== DIGEST_LENGTH[scheme.hash]) throw new KmsError('ValidationFailed', `Digest is invalid length for algorithm ${algorithm}.`);
  return { type: 'digest', bytes: message.expose() };
}
