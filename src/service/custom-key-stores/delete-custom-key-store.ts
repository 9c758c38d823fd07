import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import { defineOperation } from '../pipeline/operation.js';
import { customKeyStoreIdParam, invalidState, isDisconnected, requireStore } from './store-common.js';

export const deleteCustomKeyStore = defineOperation({
  service: 'TrentService',
  name: 'DeleteCustomKeyStore',
  description: 'Deletes a disconnected custom key store that holds no KMS keys.',
  effect: 'write',
  uses: ['customKeyStores', 'realm'] as const,
  input: z.object({ CustomKeyStoreId: customKeyStoreIdParam }),
  keys: {},
  async execute(i, _ctx, deps) {
    const store = await requireStore(deps, i.CustomKeyStoreId);
    const here = deps.customKeyStores.connections.state(store.id);
    if (!isDisconnected(store, here)) throw invalidState(store, here, 'Disconnect the custom key store (DisconnectCustomKeyStore) before you delete it.');
    const keys = await deps.customKeyStores.store.countKeys(store.id);
    if (keys > 0) {
      throw new KmsError('CustomKeyStoreHasCMKs', `Custom key store ${store.id} still has ${keys} KMS key(s). Schedule their deletion (ScheduleKeyDeletion) and wait until they are deleted before you delete the custom key store.`);
    }
    if (!(await deps.customKeyStores.store.deleteStore(store.id))) throw new KmsError('CustomKeyStoreHasCMKs', `Custom key store ${store.id} has KMS keys.`);
    return {};
  },
  auditRequest: (i) => ({ customKeyStoreId: i.CustomKeyStoreId }),
  auditResponse: () => ({}),
});
