import { z } from 'zod';
import { customKeyStoreSecretBinding } from '../../core/bindings.js';
import type { CustomKeyStoreRecord, HsmStoreSettings, StoreConnection, XksProxySettings } from '../../core/custom-key-stores.js';
import { KmsError } from '../../core/errors.js';
import type { WrappedSecret } from '../../core/ports.js';
import { randomId } from '../../crypto/random.js';
import { defineOperation, type OperationPorts } from '../pipeline/operation.js';
import {
  checkXksEndpoint,
  cloudHsmClusterId,
  customKeyStoreIdParam,
  customKeyStoreName,
  invalidState,
  isDisconnected,
  keyStorePassword,
  nameInUse,
  noVpcEndpointService,
  proxyHealthError,
  proxyUriInUse,
  requireStore,
  secretOf,
  uriInUse,
  vpcEndpointServiceName,
  vpcEndpointServiceOwner,
  wrapStoreSecret,
  xksProxyConnectivity,
  xksProxyCredential,
  xksProxyUriEndpoint,
  xksProxyUriPath,
} from './store-common.js';

const input = z.object({
  CustomKeyStoreId: customKeyStoreIdParam,
  NewCustomKeyStoreName: customKeyStoreName.optional(),
  KeyStorePassword: keyStorePassword.optional(),
  CloudHsmClusterId: cloudHsmClusterId.optional(),
  XksProxyUriEndpoint: xksProxyUriEndpoint.optional(),
  XksProxyUriPath: xksProxyUriPath.optional(),
  XksProxyVpcEndpointServiceName: vpcEndpointServiceName.optional(),
  XksProxyVpcEndpointServiceOwner: vpcEndpointServiceOwner.optional(),
  XksProxyAuthenticationCredential: xksProxyCredential.optional(),
  XksProxyConnectivity: xksProxyConnectivity.optional(),
});
type Input = z.infer<typeof input>;
type Ports = OperationPorts<'customKeyStores' | 'keyring' | 'realm'>;

/** The settings an update replaces (computed, and the proxy checked, before the audit transaction). */
interface Changes {
  readonly hsm?: HsmStoreSettings;
  readonly xks?: XksProxySettings;
  readonly secret?: WrappedSecret;
}
type Prepared = { readonly changes: Changes } | { readonly error: KmsError };

const HSM_MEMBERS = ['KeyStorePassword', 'CloudHsmClusterId'] as const;
const XKS_MEMBERS = ['XksProxyUriEndpoint', 'XksProxyUriPath', 'XksProxyAuthenticationCredential', 'XksProxyConnectivity', 'XksProxyVpcEndpointServiceName', 'XksProxyVpcEndpointServiceOwner'] as const;
/** What AWS lets an update change only while the store is DISCONNECTED (the name, an XKS credential and path: also while CONNECTED). */
const NEED_DISCONNECTED = ['KeyStorePassword', 'CloudHsmClusterId', 'XksProxyUriEndpoint', 'XksProxyConnectivity'] as const;

/** AWS's connection-state rules of UpdateCustomKeyStore, on this node's view of the store. */
function checkState(i: Input, store: CustomKeyStoreRecord, here: StoreConnection): void {
  const disconnected = isDisconnected(store, here);
  const strict = NEED_DISCONNECTED.filter((m) => i[m] !== undefined);
  if (strict.length > 0 && !disconnected) throw invalidState(store, here, `To change ${strict.join(', ')}, disconnect the custom key store first (DisconnectCustomKeyStore).`);
  const loose = (['XksProxyAuthenticationCredential', 'XksProxyUriPath'] as const).filter((m) => i[m] !== undefined);
  if (loose.length > 0 && here.state === 'FAILED') throw invalidState(store, here, `${loose.join(', ')} can be changed only while the custom key store is CONNECTED or DISCONNECTED.`);
}

async function prepareHsm(i: Input, store: CustomKeyStoreRecord, deps: Ports): Promise<Changes> {
  const hsm = store.hsm;
  if (hsm === undefined) throw new KmsError('Internal', 'The store has no HSM settings.');
  const clusterId = i.CloudHsmClusterId;
  if (clusterId !== undefined && deps.customKeyStores.hsmClusters?.has(clusterId) !== true) throw new KmsError('CloudHsmClusterNotFound', `No HSM cluster with cluster ID ${clusterId} is configured (hsmClusters:).`);
  return {
    ...(clusterId !== undefined && { hsm: { ...hsm, clusterId } }),
    ...(i.KeyStorePassword !== undefined && { secret: await wrapStoreSecret(deps.keyring, store.id, secretOf(i.KeyStorePassword)) }),
  };
}

async function prepareXks(i: Input, store: CustomKeyStoreRecord, deps: Ports): Promise<Changes> {
  const old = store.xks;
  if (old === undefined) throw new KmsError('Internal', 'The store has no XKS settings.');
  if (i.XksProxyConnectivity === 'VPC_ENDPOINT_SERVICE' || i.XksProxyVpcEndpointServiceName !== undefined || i.XksProxyVpcEndpointServiceOwner !== undefined) throw noVpcEndpointService();
  if (i.XksProxyUriEndpoint === undefined && i.XksProxyUriPath === undefined && i.XksProxyAuthenticationCredential === undefined) return {};
  const credential = i.XksProxyAuthenticationCredential;
  const xks: XksProxySettings = {
    uriEndpoint: i.XksProxyUriEndpoint === undefined ? old.uriEndpoint : checkXksEndpoint(i.XksProxyUriEndpoint),
    uriPath: i.XksProxyUriPath ?? old.uriPath,
    connectivity: 'PUBLIC_ENDPOINT',
    accessKeyId: credential?.AccessKeyId ?? old.accessKeyId,
  };
  if (await proxyUriInUse(deps.customKeyStores, deps.realm.region, xks, store.id)) throw uriInUse();
  // The new settings must reach the proxy, as at creation (with the new secret, or the stored one).
  const plain = credential !== undefined ? secretOf(credential.RawSecretAccessKey) : await deps.keyring.unwrap(store.secret, customKeyStoreSecretBinding(store.id));
  try {
    const error = await proxyHealthError(deps.customKeyStores.xks, xks, plain, randomId(), 'UpdateCustomKeyStore');
    if (error !== undefined) throw error;
  } catch (e) {
    plain.dispose();
    throw e;
  }
  if (credential === undefined) {
    plain.dispose();
    return { xks };
  }
  return { xks, secret: await wrapStoreSecret(deps.keyring, store.id, plain) };
}

async function prepareUpdate(i: Input, deps: Ports): Promise<Prepared> {
  try {
    const store = await requireStore(deps, i.CustomKeyStoreId);
    const foreign = (store.type === 'AWS_CLOUDHSM' ? XKS_MEMBERS : HSM_MEMBERS).filter((m) => i[m] !== undefined);
    if (foreign.length > 0) throw new KmsError('ValidationFailed', `${foreign.join(', ')} ${foreign.length === 1 ? 'is' : 'are'} not valid for a custom key store of type ${store.type}.`);
    checkState(i, store, deps.customKeyStores.connections.state(store.id));
    if (i.NewCustomKeyStoreName !== undefined && i.NewCustomKeyStoreName !== store.name && (await deps.customKeyStores.store.findStoreByName(deps.realm.region, i.NewCustomKeyStoreName)) !== undefined) {
      throw nameInUse(i.NewCustomKeyStoreName);
    }
    return { changes: store.type === 'AWS_CLOUDHSM' ? await prepareHsm(i, store, deps) : await prepareXks(i, store, deps) };
  } catch (e) {
    return { error: e instanceof KmsError ? e : new KmsError('Internal', 'The custom key store could not be updated.', { cause: e }) };
  }
}

export const updateCustomKeyStore = defineOperation({
  service: 'TrentService',
  name: 'UpdateCustomKeyStore',
  description: 'Renames a custom key store or changes its HSM cluster, password, or XKS proxy endpoint, path and credential.',
  effect: 'write',
  uses: ['customKeyStores', 'keyring', 'realm'] as const,
  input,
  keys: {},
  // New proxy settings are checked against the proxy (a network call) before the audit transaction opens.
  async prepare(i, deps): Promise<Prepared> {
    return prepareUpdate(i, deps);
  },
  async execute(i, ctx, deps, prepared) {
    const p = prepared ?? (await prepareUpdate(i, deps));
    if ('error' in p) throw p.error;
    // The state may have changed since: checked again on the stored store.
    const store = await requireStore(deps, i.CustomKeyStoreId);
    const here = deps.customKeyStores.connections.state(store.id);
    checkState(i, store, here);
    const updated: CustomKeyStoreRecord = { ...store, name: i.NewCustomKeyStoreName ?? store.name, ...p.changes };
    if (!(await deps.customKeyStores.store.updateStore(updated))) {
      if ((await deps.customKeyStores.store.getStore(store.id)) === undefined) throw new KmsError('CustomKeyStoreNotFound', 'The custom key store was deleted meanwhile.');
      throw nameInUse(updated.name);
    }
    // A connected external key store whose credential or path changed goes on with the new ones.
    if (here.state === 'CONNECTED' && (p.changes.xks !== undefined || p.changes.secret !== undefined)) await deps.customKeyStores.connections.connect(updated, ctx.requestId, 'UpdateCustomKeyStore');
    return {};
  },
  auditRequest: (i) => ({
    customKeyStoreId: i.CustomKeyStoreId,
    newCustomKeyStoreName: i.NewCustomKeyStoreName,
    cloudHsmClusterId: i.CloudHsmClusterId,
    keyStorePasswordChanged: i.KeyStorePassword !== undefined || undefined,
    xksProxyUriEndpoint: i.XksProxyUriEndpoint,
    xksProxyUriPath: i.XksProxyUriPath,
    xksProxyConnectivity: i.XksProxyConnectivity,
    xksProxyAccessKeyId: i.XksProxyAuthenticationCredential?.AccessKeyId,
  }),
  auditResponse: () => ({}),
});
