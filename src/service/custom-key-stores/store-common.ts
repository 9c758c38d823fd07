import { z } from 'zod';
import { customKeyStoreSecretBinding } from '../../core/bindings.js';
import {
  XKS_FAILURES,
  XksProxyError,
  type CustomKeyStoreRecord,
  type CustomKeyStoresDeps,
  type StoreConnection,
  type XksProxySettings,
} from '../../core/custom-key-stores.js';
import { KmsError } from '../../core/errors.js';
import type { Keyring, WrappedSecret } from '../../core/ports.js';
import { SecretBytes } from '../../crypto/secret-bytes.js';
import { sensitive, str } from '../pipeline/schemas.js';

/**
 * What the six custom key store operations share (ADR 0024, docs/custom-key-stores.md): input members
 * with AWS's constraints, the store lookup, the connection state as this node sees it, the XKS settings
 * check and the proxy health check that Create/UpdateCustomKeyStore run before they store anything.
 */

export const customKeyStoreIdParam = str(1, 64).describe('The ID of the custom key store (cks- and 17 hexadecimal digits).');
export const customKeyStoreName = str(1, 256).describe('The friendly name of the custom key store, unique in the account and Region; never put secrets in it.');
export const cloudHsmClusterId = str(19, 24).describe('The cluster ID of the HSM cluster (a cluster configured in hsmClusters:, docs/hsm-key-stores.md).');
export const keyStorePassword = sensitive(str(7, 32)).describe('The password of the kmsuser crypto user of the HSM (the token PIN of the cluster).');
export const xksProxyUriEndpoint = str(10, 128).describe('The external key store proxy endpoint: https://host[:port] (http:// only on loopback), no path.');
export const xksProxyUriPath = str(10, 128)
  .regex(/^(\/[a-zA-Z0-9/_-]+\/kms\/xks\/v\d{1,2})$|^(\/kms\/xks\/v\d{1,2})$/, 'Member must satisfy regular expression pattern: ^(/[a-zA-Z0-9\\/_-]+/kms/xks/v\\d{1,2})$|^(/kms/xks/v\\d{1,2})$')
  .describe('The base path of the proxy APIs, ending in /kms/xks/v1 (an optional prefix before it).');
export const xksProxyCredential = z
  .object({
    AccessKeyId: str(20, 30).regex(/^[A-Z2-7]+$/, 'Member must satisfy regular expression pattern: ^[A-Z2-7]+$').describe('The access key ID of the credential the proxy knows KMS by.'),
    RawSecretAccessKey: sensitive(str(43, 64).regex(/^[a-zA-Z0-9/+=]+$/, 'Member must satisfy regular expression pattern: ^[a-zA-Z0-9\\/+=]+$')).describe('The secret access key KMS signs proxy requests with (43 to 64 characters).'),
  })
  .describe('The SigV4 credential Arca signs its requests to the external key store proxy with.');
export const xksProxyConnectivity = z.enum(['PUBLIC_ENDPOINT', 'VPC_ENDPOINT_SERVICE']).describe('How KMS reaches the proxy: PUBLIC_ENDPOINT (Arca has no VPC, so VPC_ENDPOINT_SERVICE is refused).');
export const vpcEndpointServiceName = str(20, 64).describe('The VPC endpoint service of the proxy (AWS); Arca refuses VPC endpoint service connectivity.');
export const vpcEndpointServiceOwner = str(12, 12).describe('The account owning the VPC endpoint service (AWS); Arca refuses VPC endpoint service connectivity.');

/** AWS's answer to a store id or name it does not know. */
export function storeNotFound(): KmsError {
  return new KmsError('CustomKeyStoreNotFound', 'The specified custom key store ID or name was not found in this account and Region.');
}

/** The store `id` of the pipeline's region (a store of another region is not found, as in AWS). */
export async function requireStore(deps: { readonly customKeyStores: CustomKeyStoresDeps; readonly realm: { readonly region: string } }, id: string): Promise<CustomKeyStoreRecord> {
  const store = await deps.customKeyStores.store.getStore(id);
  if (store === undefined || store.region !== deps.realm.region) throw storeNotFound();
  return store;
}

/**
 * Whether the store is disconnected everywhere as far as this node can tell: its `connect` flag is off
 * (no node reconnects it) and this node holds no connection or failure for it.
 */
export function isDisconnected(store: CustomKeyStoreRecord, here: StoreConnection): boolean {
  return !store.connect && here.state === 'DISCONNECTED';
}

/** CustomKeyStoreInvalidState with the store's state in the message. */
export function invalidState(store: CustomKeyStoreRecord, here: StoreConnection, what: string): KmsError {
  const state = here.state === 'DISCONNECTED' && store.connect ? 'CONNECTED on other nodes' : here.state;
  return new KmsError('CustomKeyStoreInvalidState', `Custom key store ${store.id} is ${state}. ${what}`);
}

/** Validates an external key store's endpoint: `https://host[:port]`, or `http://` on loopback (tests, a local proxy). */
export function checkXksEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new KmsError('ValidationFailed', `XksProxyUriEndpoint ${endpoint} is not a URI.`);
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  const bare = url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '' && url.password === '' && !endpoint.endsWith('/');
  if (!bare || !(url.protocol === 'https:' || (url.protocol === 'http:' && loopback))) {
    throw new KmsError('ValidationFailed', `XksProxyUriEndpoint must be https://<host>[:<port>] with no path (http:// only on a loopback address); got ${endpoint}.`);
  }
  return endpoint;
}

/** The refusal of VPC endpoint service connectivity: Arca has no VPC. */
export function noVpcEndpointService(): KmsError {
  return new KmsError('UnsupportedOperation', 'Arca does not support XksProxyConnectivity VPC_ENDPOINT_SERVICE (it has no VPC): use PUBLIC_ENDPOINT with an https:// XksProxyUriEndpoint.');
}

/** A secret given as text in the request (an XKS secret access key, an HSM password), as zeroable bytes. */
export function secretOf(text: string): SecretBytes {
  return SecretBytes.adopt(Buffer.from(text, 'utf8'));
}

/** Wraps a store's secret under the hierarchy, bound to the store id; the plaintext is zeroed. */
export async function wrapStoreSecret(keyring: Keyring, storeId: string, secret: SecretBytes): Promise<WrappedSecret> {
  try {
    return await keyring.wrap(secret, customKeyStoreSecretBinding(storeId));
  } finally {
    secret.dispose();
  }
}

/**
 * Create/UpdateCustomKeyStore's check of proxy settings (AWS's GetHealthStatus at creation): the proxy
 * must answer a signed health request; a failure is the XksProxy… exception and message of XKS_FAILURES.
 * Answers the error instead of throwing, for a `prepare` step (which must not throw).
 */
export async function proxyHealthError(xks: CustomKeyStoresDeps['xks'], settings: XksProxySettings, secret: SecretBytes, requestId: string, operation: string): Promise<KmsError | undefined> {
  try {
    await xks.health({ settings, secret }, { kmsOperation: operation, kmsRequestId: requestId });
    return undefined;
  } catch (e) {
    const failure = e instanceof XksProxyError ? e.failure : 'MalformedResponse';
    const f = XKS_FAILURES[failure];
    return new KmsError(f.storeError, f.message, { cause: e });
  }
}

/** Whether another store of the region already uses this proxy endpoint and path (XksProxyUriInUse). */
export async function proxyUriInUse(deps: CustomKeyStoresDeps, region: string, settings: XksProxySettings, exceptId?: string): Promise<boolean> {
  return (await deps.store.listStores(region)).some((s) => s.id !== exceptId && s.xks?.uriEndpoint === settings.uriEndpoint && s.xks.uriPath === settings.uriPath);
}

export function uriInUse(): KmsError {
  return new KmsError('XksProxyUriInUse', 'The concatenation of the XksProxyUriEndpoint and XksProxyUriPath is already associated with another external key store in this account and Region. Each external key store in a Region must use a unique external key store proxy API address.');
}

export function nameInUse(name: string): KmsError {
  return new KmsError('CustomKeyStoreNameInUse', `The custom key store name ${name} is already associated with a custom key store in this account and Region.`);
}
