import { z } from 'zod';
import { randomSecret } from '../../crypto/random.js';
import { KmsError } from '../../core/errors.js';
import { defineOperation } from '../pipeline/operation.js';
import { dataKeyParams } from './symmetric.js';
import { str } from '../pipeline/schemas.js';
import { requireStore } from '../custom-key-stores/store-common.js';

export const generateRandom = defineOperation({
  service: 'TrentService',
  name: 'GenerateRandom',
  description: 'Returns a cryptographically secure random byte string.',
  effect: 'use',
  uses: ['customKeyStores', 'realm'] as const,
  input: z.object({
    NumberOfBytes: dataKeyParams.NumberOfBytes.describe('The length of the random byte string, 1 to 1024 bytes.'),
    CustomKeyStoreId: str(1, 64).optional().describe('Requires this AWS_CLOUDHSM custom key store to be connected (the bytes come from the OS CSPRNG; see docs/custom-key-stores.md); an external key store is refused.'),
    Recipient: z.unknown().optional().describe('A Nitro Enclaves attestation document to encrypt the response to (AWS); Arca refuses it.'),
  }),
  keys: {},
  async execute(input, _ctx, deps) {
    if (input.CustomKeyStoreId !== undefined) {
      const store = await requireStore(deps, input.CustomKeyStoreId);
      if (store.type === 'EXTERNAL_KEY_STORE') throw new KmsError('UnsupportedOperation', 'GenerateRandom does not support external key stores: CustomKeyStoreId must identify an AWS_CLOUDHSM key store.');
      // The HSM port generates keys, not random bytes: a connected store is required, as in AWS, and the
      // bytes come from the OS CSPRNG like every other GenerateRandom (documented in docs/custom-key-stores.md).
      if (deps.customKeyStores.connections.hsmSession(store.id) === undefined) {
        throw new KmsError('CustomKeyStoreInvalidState', `Custom key store ${store.id} is not connected. GenerateRandom with a CustomKeyStoreId is valid only while the key store is CONNECTED.`);
      }
    }
    if (input.Recipient !== undefined) throw new KmsError('UnsupportedOperation', 'Recipient (Nitro Enclaves attestation) is not supported.');
    if (input.NumberOfBytes === undefined) throw new KmsError('ValidationFailed', 'Please specify the number of bytes.');
    return { Plaintext: randomSecret(input.NumberOfBytes) };
  },
  auditRequest: (i) => ({ numberOfBytes: i.NumberOfBytes }),
});
