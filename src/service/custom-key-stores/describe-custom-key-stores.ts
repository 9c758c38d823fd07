import { z } from 'zod';
import type { CustomKeyStoreRecord, StoreConnection } from '../../core/custom-key-stores.js';
import { KmsError } from '../../core/errors.js';
import { defineOperation } from '../pipeline/operation.js';
import { decodeMarker, pageFields } from '../pipeline/pagination.js';
import { limit, marker } from '../pipeline/schemas.js';
import { customKeyStoreIdParam, customKeyStoreName, storeNotFound } from './store-common.js';

/** One entry of DescribeCustomKeyStores (AWS's CustomKeyStoresListEntry): never the store's secret. */
export function storeEntry(s: CustomKeyStoreRecord, here: StoreConnection) {
  return {
    CustomKeyStoreId: s.id,
    CustomKeyStoreName: s.name,
    CustomKeyStoreType: s.type,
    CreationDate: s.createdAt,
    ConnectionState: here.state,
    ...(here.errorCode !== undefined && { ConnectionErrorCode: here.errorCode }),
    ...(s.hsm !== undefined && { CloudHsmClusterId: s.hsm.clusterId, TrustAnchorCertificate: s.hsm.trustAnchorCertificate }),
    ...(s.xks !== undefined && { XksProxyConfiguration: { Connectivity: s.xks.connectivity, AccessKeyId: s.xks.accessKeyId, UriEndpoint: s.xks.uriEndpoint, UriPath: s.xks.uriPath } }),
  };
}

export const describeCustomKeyStores = defineOperation({
  service: 'TrentService',
  name: 'DescribeCustomKeyStores',
  description: 'Describes the custom key stores of the account and Region, with their connection state on this node.',
  effect: 'read',
  uses: ['customKeyStores', 'realm'] as const,
  input: z.object({
    CustomKeyStoreId: customKeyStoreIdParam.optional(),
    CustomKeyStoreName: customKeyStoreName.optional(),
    Limit: limit(1000),
    Marker: marker,
  }),
  keys: {},
  async execute(input, _ctx, deps) {
    if (input.CustomKeyStoreId !== undefined && input.CustomKeyStoreName !== undefined) {
      throw new KmsError('ValidationFailed', 'Specify either CustomKeyStoreId or CustomKeyStoreName, not both.');
    }
    const { store, connections } = deps.customKeyStores;
    let stores: readonly CustomKeyStoreRecord[];
    if (input.CustomKeyStoreId !== undefined || input.CustomKeyStoreName !== undefined) {
      const one = input.CustomKeyStoreId !== undefined ? await store.getStore(input.CustomKeyStoreId) : await store.findStoreByName(deps.realm.region, input.CustomKeyStoreName ?? '');
      if (one === undefined || one.region !== deps.realm.region) throw storeNotFound();
      stores = [one];
    } else {
      stores = await store.listStores(deps.realm.region);
    }
    // The marker is the id of the last store of the previous page (stores are listed oldest first).
    const after = decodeMarker(input.Marker);
    const start = after === undefined ? 0 : stores.findIndex((s) => s.id === after) + 1;
    if (after !== undefined && start === 0) throw new KmsError('InvalidMarker', 'The marker is not valid.');
    const size = input.Limit ?? 100;
    const page = stores.slice(start, start + size);
    const last = page[page.length - 1];
    return {
      CustomKeyStores: page.map((s) => storeEntry(s, connections.state(s.id))),
      ...pageFields(start + size < stores.length && last !== undefined ? last.id : undefined),
    };
  },
  auditRequest: (i) => ({ customKeyStoreId: i.CustomKeyStoreId, customKeyStoreName: i.CustomKeyStoreName, limit: i.Limit }),
});
