import { z } from 'zod';
import { randomSecret } from '../../crypto/random.js';
import { KmsError } from '../../core/errors.js';
import { defineOperation } from '../pipeline/operation.js';
import { dataKeyParams } from './symmetric.js';
import { str } from '../pipeline/schemas.js';

export const generateRandom = defineOperation({
  service: 'TrentService',
  name: 'GenerateRandom',
  description: 'Returns a cryptographically secure random byte string.',
  effect: 'use',
  uses: [] as const,
  input: z.object({
    NumberOfBytes: dataKeyParams.NumberOfBytes.describe('The length of the random byte string, 1 to 1024 bytes.'),
    CustomKeyStoreId: str(1, 64).optional().describe('Generates the bytes in this CloudHSM key store (AWS); Arca has no custom key stores and refuses it.'),
    Recipient: z.unknown().optional().describe('A Nitro Enclaves attestation document to encrypt the response to (AWS); Arca refuses it.'),
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
