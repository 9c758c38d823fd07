import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import { randomId } from '../../crypto/random.js';
import { defineOperation, type OperationPorts } from '../pipeline/operation.js';
import { customKeyStoreIdParam, invalidState, isDisconnected, requireStore } from './store-common.js';

type Ports = OperationPorts<'customKeyStores' | 'realm'>;

/**
 * Connects the store on this node (an XKS health check, an HSM login), unless it is connected already; a
 * FAILED store must be disconnected first, as in AWS. A connection that fails is not an error of the
 * request: the store reads FAILED with its ConnectionErrorCode in DescribeCustomKeyStores.
 */
async function connectHere(id: string, deps: Ports): Promise<{ readonly done: true } | { readonly error: KmsError }> {
  try {
    const store = await requireStore(deps, id);
    const here = deps.customKeyStores.connections.state(id);
    if (here.state === 'FAILED') throw invalidState(store, here, 'To connect a custom key store in the FAILED state, disconnect it (DisconnectCustomKeyStore), then connect it.');
    if (here.state !== 'CONNECTED') await deps.customKeyStores.connections.connect(store, randomId(), 'ConnectCustomKeyStore');
    return { done: true };
  } catch (e) {
    return { error: e instanceof KmsError ? e : new KmsError('Internal', 'The custom key store could not be connected.', { cause: e }) };
  }
}

export const connectCustomKeyStore = defineOperation({
  service: 'TrentService',
  name: 'ConnectCustomKeyStore',
  description: 'Connects a custom key store to its HSM cluster or external key store proxy; DescribeCustomKeyStores reports the outcome.',
  effect: 'write',
  uses: ['customKeyStores', 'realm'] as const,
  input: z.object({ CustomKeyStoreId: customKeyStoreIdParam }),
  keys: {},
  // The health check or HSM login is a network call: it runs before the audit transaction opens.
  async prepare(i, deps) {
    return connectHere(i.CustomKeyStoreId, deps);
  },
  async execute(i, _ctx, deps, prepared) {
    const outcome = prepared ?? (await connectHere(i.CustomKeyStoreId, deps));
    if ('error' in outcome) throw outcome.error;
    // Every node connects the store at start and unseal from now on, whatever this attempt gave.
    const store = await requireStore(deps, i.CustomKeyStoreId);
    if (!store.connect && !(await deps.customKeyStores.store.updateStore({ ...store, connect: true }))) throw new KmsError('CustomKeyStoreNotFound', 'The custom key store was deleted meanwhile.');
    return {};
  },
  auditRequest: (i) => ({ customKeyStoreId: i.CustomKeyStoreId }),
  auditResponse: () => ({}),
});

export const disconnectCustomKeyStore = defineOperation({
  service: 'TrentService',
  name: 'DisconnectCustomKeyStore',
  description: 'Disconnects a custom key store: its keys cannot be used until it is connected again.',
  effect: 'write',
  uses: ['customKeyStores', 'realm'] as const,
  input: z.object({ CustomKeyStoreId: customKeyStoreIdParam }),
  keys: {},
  async execute(i, _ctx, deps) {
    const store = await requireStore(deps, i.CustomKeyStoreId);
    const here = deps.customKeyStores.connections.state(store.id);
    if (isDisconnected(store, here)) throw invalidState(store, here, 'DisconnectCustomKeyStore is not valid for a custom key store that is already disconnected.');
    if (store.connect && !(await deps.customKeyStores.store.updateStore({ ...store, connect: false }))) throw new KmsError('CustomKeyStoreNotFound', 'The custom key store was deleted meanwhile.');
    await deps.customKeyStores.connections.disconnect(store.id);
    return {};
  },
  auditRequest: (i) => ({ customKeyStoreId: i.CustomKeyStoreId }),
  auditResponse: () => ({}),
});
