import { z } from 'zod';
import { randomId, randomPublicBytes } from '../../crypto/random.js';
import { isPemCertificate } from '../../crypto/certificate.js';
import { CUSTOM_KEY_STORE_TYPES, type CustomKeyStoreRecord, type XksProxySettings } from '../../core/custom-key-stores.js';
import { KmsError } from '../../core/errors.js';
import { defineOperation, type OperationPorts } from '../pipeline/operation.js';
import { str } from '../pipeline/schemas.js';
import {
  checkXksEndpoint,
  cloudHsmClusterId,
  customKeyStoreName,
  keyStorePassword,
  nameInUse,
  noVpcEndpointService,
  proxyHealthError,
  proxyUriInUse,
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
  CustomKeyStoreName: customKeyStoreName,
  CustomKeyStoreType: z.enum(CUSTOM_KEY_STORE_TYPES).optional().describe('AWS_CLOUDHSM (the default: an HSM cluster of hsmClusters:) or EXTERNAL_KEY_STORE (an XKS proxy).'),
  CloudHsmClusterId: cloudHsmClusterId.optional(),
  TrustAnchorCertificate: str(1, 5000).optional().describe('The PEM trust anchor certificate of the HSM cluster (AWS_CLOUDHSM).'),
  KeyStorePassword: keyStorePassword.optional(),
  XksProxyUriEndpoint: xksProxyUriEndpoint.optional(),
  XksProxyUriPath: xksProxyUriPath.optional(),
  XksProxyVpcEndpointServiceName: vpcEndpointServiceName.optional(),
  XksProxyVpcEndpointServiceOwner: vpcEndpointServiceOwner.optional(),
  XksProxyAuthenticationCredential: xksProxyCredential.optional(),
  XksProxyConnectivity: xksProxyConnectivity.optional(),
});
type Input = z.infer<typeof input>;
type Ports = OperationPorts<'customKeyStores' | 'keyring' | 'realm' | 'clock'>;

/** What `prepare` made outside the audit transaction: the store to add (secret wrapped), or why not. */
type Prepared = { readonly record: CustomKeyStoreRecord } | { readonly error: KmsError };

/** AWS's store id: `cks-` and 17 hexadecimal digits. */
function newStoreId(): string {
  return `cks-${randomPublicBytes(9).toString('hex').slice(0, 17)}`;
}

function missing(type: string, members: readonly string[]): KmsError {
  return new KmsError('ValidationFailed', `A custom key store of type ${type} requires ${members.join(', ')}.`);
}

function refuseOthers(i: Input, type: string, members: readonly (keyof Input)[]): void {
  const given = members.filter((m) => i[m] !== undefined);
  if (given.length > 0) throw new KmsError('ValidationFailed', `${given.join(', ')} ${given.length === 1 ? 'is' : 'are'} not valid for a custom key store of type ${type}.`);
}

async function prepareHsm(i: Input, deps: Ports, id: string, createdAt: Date): Promise<CustomKeyStoreRecord> {
  refuseOthers(i, 'AWS_CLOUDHSM', ['XksProxyUriEndpoint', 'XksProxyUriPath', 'XksProxyAuthenticationCredential', 'XksProxyConnectivity', 'XksProxyVpcEndpointServiceName', 'XksProxyVpcEndpointServiceOwner']);
  const { CloudHsmClusterId: clusterId, TrustAnchorCertificate: anchor, KeyStorePassword: password } = i;
  if (clusterId === undefined || anchor === undefined || password === undefined) throw missing('AWS_CLOUDHSM', ['CloudHsmClusterId', 'TrustAnchorCertificate', 'KeyStorePassword']);
  if (deps.customKeyStores.hsmClusters?.has(clusterId) !== true) throw new KmsError('CloudHsmClusterNotFound', `No HSM cluster with cluster ID ${clusterId} is configured (hsmClusters:).`);
  if ((await deps.customKeyStores.store.listStores(deps.realm.region)).some((s) => s.hsm?.clusterId === clusterId)) {
    throw new KmsError('CloudHsmClusterInUse', `The HSM cluster ${clusterId} is already associated with a custom key store in this account and Region.`);
  }
  if (!isPemCertificate(anchor)) throw new KmsError('IncorrectTrustAnchor', 'The TrustAnchorCertificate is not a PEM-encoded X.509 certificate.');
  const secret = await wrapStoreSecret(deps.keyring, id, secretOf(password));
  return { id, region: deps.realm.region, name: i.CustomKeyStoreName, type: 'AWS_CLOUDHSM', createdAt, connect: false, hsm: { clusterId, trustAnchorCertificate: anchor }, secret };
}

async function prepareXks(i: Input, deps: Ports, id: string, createdAt: Date): Promise<CustomKeyStoreRecord> {
  refuseOthers(i, 'EXTERNAL_KEY_STORE', ['CloudHsmClusterId', 'TrustAnchorCertificate', 'KeyStorePassword']);
  if (i.XksProxyConnectivity === 'VPC_ENDPOINT_SERVICE' || i.XksProxyVpcEndpointServiceName !== undefined || i.XksProxyVpcEndpointServiceOwner !== undefined) throw noVpcEndpointService();
  const { XksProxyUriEndpoint: endpoint, XksProxyUriPath: uriPath, XksProxyAuthenticationCredential: credential } = i;
  if (endpoint === undefined || uriPath === undefined || credential === undefined || i.XksProxyConnectivity === undefined) {
    throw missing('EXTERNAL_KEY_STORE', ['XksProxyConnectivity', 'XksProxyUriEndpoint', 'XksProxyUriPath', 'XksProxyAuthenticationCredential']);
  }
  const settings: XksProxySettings = { uriEndpoint: checkXksEndpoint(endpoint), uriPath, connectivity: 'PUBLIC_ENDPOINT', accessKeyId: credential.AccessKeyId };
  if (await proxyUriInUse(deps.customKeyStores, deps.realm.region, settings)) throw uriInUse();
  const plain = secretOf(credential.RawSecretAccessKey);
  try {
    const error = await proxyHealthError(deps.customKeyStores.xks, settings, plain, randomId(), 'CreateCustomKeyStore');
    if (error !== undefined) throw error;
  } catch (e) {
    plain.dispose();
    throw e;
  }
  const secret = await wrapStoreSecret(deps.keyring, id, plain);
  return { id, region: deps.realm.region, name: i.CustomKeyStoreName, type: 'EXTERNAL_KEY_STORE', createdAt, connect: false, xks: settings, secret };
}

/** Checks the input, the cluster or the proxy (network: outside the audit transaction), and wraps the secret. */
async function prepareStore(i: Input, deps: Ports): Promise<Prepared> {
  try {
    if ((await deps.customKeyStores.store.findStoreByName(deps.realm.region, i.CustomKeyStoreName)) !== undefined) throw nameInUse(i.CustomKeyStoreName);
    const id = newStoreId();
    const createdAt = deps.clock.now();
    const record = (i.CustomKeyStoreType ?? 'AWS_CLOUDHSM') === 'AWS_CLOUDHSM' ? await prepareHsm(i, deps, id, createdAt) : await prepareXks(i, deps, id, createdAt);
    return { record };
  } catch (e) {
    return { error: e instanceof KmsError ? e : new KmsError('Internal', 'The custom key store could not be prepared.', { cause: e }) };
  }
}

export const createCustomKeyStore = defineOperation({
  service: 'TrentService',
  name: 'CreateCustomKeyStore',
  description: 'Creates a custom key store: an HSM cluster (AWS_CLOUDHSM) or an external key store proxy (EXTERNAL_KEY_STORE).',
  effect: 'write',
  uses: ['customKeyStores', 'keyring', 'realm', 'clock'] as const,
  input,
  keys: {},
  // The proxy's health check is a network call: it runs before the audit transaction opens.
  async prepare(i, deps): Promise<Prepared> {
    return prepareStore(i, deps);
  },
  async execute(i, _ctx, deps, prepared) {
    const p = prepared ?? (await prepareStore(i, deps));
    if ('error' in p) throw p.error;
    const { store } = deps.customKeyStores;
    if ((await store.findStoreByName(deps.realm.region, i.CustomKeyStoreName)) !== undefined || !(await store.createStore(p.record))) {
      throw nameInUse(i.CustomKeyStoreName);
    }
    return { CustomKeyStoreId: p.record.id };
  },
  auditRequest: (i) => ({
    customKeyStoreName: i.CustomKeyStoreName,
    customKeyStoreType: i.CustomKeyStoreType ?? 'AWS_CLOUDHSM',
    cloudHsmClusterId: i.CloudHsmClusterId,
    xksProxyUriEndpoint: i.XksProxyUriEndpoint,
    xksProxyUriPath: i.XksProxyUriPath,
    xksProxyConnectivity: i.XksProxyConnectivity,
    xksProxyAccessKeyId: i.XksProxyAuthenticationCredential?.AccessKeyId,
  }),
  auditResponse: (o) => ({ customKeyStoreId: o.CustomKeyStoreId }),
});
