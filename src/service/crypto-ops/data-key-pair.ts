import { z } from 'zod';
import { DATA_KEY_PAIR_SPECS } from '../../core/key-capabilities.js';
import { dryRun, encryptionContext, grantTokens, keyIdParam } from '../pipeline/schemas.js';

/** The shared input of GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext (the work is custody's `dataKeyPair`). */

export const dataKeyPairInput = z.object({
  EncryptionContext: encryptionContext,
  KeyId: keyIdParam,
  KeyPairSpec: z.enum(DATA_KEY_PAIR_SPECS).describe('The type of data key pair to generate (an RSA, ECC or SM2 key pair spec).'),
  GrantTokens: grantTokens,
  DryRun: dryRun,
  Recipient: z.unknown().optional().describe('A Nitro Enclaves attestation document to encrypt the response to (AWS); Arca refuses it.'),
});
