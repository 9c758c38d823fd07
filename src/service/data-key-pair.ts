import { z } from 'zod';
import { DATA_KEY_PAIR_SPECS } from '../core/key-capabilities.js';
import { dryRun, encryptionContext, grantTokens, keyIdParam } from './schemas.js';

/** The shared input of GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext (the work is custody's `dataKeyPair`). */

export const dataKeyPairInput = z.object({
  EncryptionContext: encryptionContext,
  KeyId: keyIdParam,
  KeyPairSpec: z.enum(DATA_KEY_PAIR_SPECS),
  GrantTokens: grantTokens,
  DryRun: dryRun,
  Recipient: z.unknown().optional(),
});
