import { z } from 'zod';
import { randomSecret } from '../crypto/random.js';
import { KmsError } from '../core/errors.js';
import { defineOperation } from './operation.js';
import { dataKeyParams } from './symmetric.js';
import { str } from './schemas.js';

export const generateRandom = defineOperation({
  service: 'TrentService',
  name: 'GenerateRandom',
  description: 'Returns a cryptographically secure random byte string.',
  effect: 'use',
  uses: [] as const,
  input: z.object({
    NumberOfBytes: dataKeyParams.NumberOfBytes,
    CustomKeyStoreId: str(1, 64).optional(),
    Recipient: z.unknown().optional(),
  }),
  keys: {},
  async execute(input) {
    if (input.CustomKeyStoreId !== undefined) throw new KmsError('UnsupportedOperation', 'Custom key stores are not supported.');
    if (input.Recipient !== undefined) throw new KmsError('UnsupportedOperation', 'Recipient (Nitro Enclaves attestation) is not supported.');
    if (input.NumberOfBytes === undefined) throw new KmsError('ValidationFailed', 'Please specify the number of bytes.');
    return { Plaintext: randomSecret(input.NumberOfBytes) };
  },
  auditRequest: (i) => ({ numberOfBytes: i.NumberOfBytes }),
});
