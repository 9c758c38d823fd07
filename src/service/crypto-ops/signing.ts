import { z } from 'zod';
import { SIGNING_ALGORITHMS } from '../../core/key-capabilities.js';

/** The shared input pieces of Sign and Verify (the checks and the work are custody's signer and verifier). */

export const signingAlgorithm = z.enum(SIGNING_ALGORITHMS);
export const messageType = z.enum(['RAW', 'DIGEST', 'EXTERNAL_MU']).optional();
