import type { SecretBytes } from '../crypto/secret-bytes.js';
import type { Origin } from './key.js';
import type { HsmClusters, HsmKeyStoreConnection } from './hsm-keys.js';
import type { WrappedSecret } from './ports.js';

/**
 * Custom key stores (issue 21 part 2, ADR 0024): AWS's `CreateCustomKeyStore` family. A store is an
 * external key store (an XKS proxy, `EXTERNAL_KEY_STORE`) or an HSM cluster (`AWS_CLOUDHSM`); keys made in
 * it are linked to it in a side table, so key rows stay as they are. The store's secret (the XKS proxy's
 * SigV4 secret access key, or the HSM's `kmsuser` password) is wrapped under a domain key like every other
 * stored secret, bound to the store id ({@link customKeyStoreSecretBinding} in bindings.ts).
 */

export const CUSTOM_KEY_STORE_TYPES = ['AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] as const;
export type CustomKeyStoreType = (typeof CUSTOM_KEY_STORE_TYPES)[number];

/** AWS's `ConnectionState`. Arca connects synchronously, so CONNECTING and DISCONNECTING are never observed for long. */
export type ConnectionState = 'CONNECTED' | 'CONNECTING' | 'DISCONNECTED' | 'DISCONNECTING' | 'FAILED';

/** AWS's `ConnectionErrorCode` (the values Arca can report). */
export type ConnectionErrorCode =
  | 'INVALID_CREDENTIALS'
  | 'CLUSTER_NOT_FOUND'
  | 'NETWORK_ERRORS'
  | 'INTERNAL_ERROR'
  | 'USER_LOCKED_OUT'
  | 'XKS_PROXY_ACCESS_DENIED'
  | 'XKS_PROXY_NOT_REACHABLE'
  | 'XKS_PROXY_INVALID_RESPONSE'
  | 'XKS_PROXY_INVALID_CONFIGURATION'
  | 'XKS_PROXY_INVALID_TLS_CONFIGURATION'
  | 'XKS_PROXY_TIMED_OUT';

/** How an external key store reaches its proxy: Arca has no VPC, so only a public endpoint. */
export type XksProxyConnectivity = 'PUBLIC_ENDPOINT' | 'VPC_ENDPOINT_SERVICE';

/** The proxy settings of an external key store (the secret lives apart, wrapped). */
export interface XksProxySettings {
  /** `https://host[:port]` (or `http://` on loopback); no path. */
  readonly uriEndpoint: string;
  /** The base path ending in `/kms/xks/v1`. */
  readonly uriPath: string;
  readonly connectivity: 'PUBLIC_ENDPOINT';
  readonly accessKeyId: string;
}

/** The HSM settings of a CloudHSM-shaped key store (the password lives apart, wrapped). */
export interface HsmStoreSettings {
  readonly clusterId: string;
  /** The PEM trust anchor certificate given at creation. */
  readonly trustAnchorCertificate: string;
}

/** A custom key store as stored. */
export interface CustomKeyStoreRecord {
  /** `cks-` and 17 hex digits, as AWS's. */
  readonly id: string;
  readonly region: string;
  readonly name: string;
  readonly type: CustomKeyStoreType;
  readonly createdAt: Date;
  /** Whether the store should be connected: nodes connect it at start and unseal while this is true. */
  readonly connect: boolean;
  readonly xks?: XksProxySettings | undefined;
  readonly hsm?: HsmStoreSettings | undefined;
  /** The XKS secret access key or the HSM password, wrapped under a domain key bound to the store id. */
  readonly secret: WrappedSecret;
}

/** A key's link to the custom key store it lives in (the side table `custom_key_store_keys`). */
export interface CustomKeyStoreKeyLink {
  readonly keyId: string;
  readonly storeId: string;
  /** The external key's id in the proxy (XKS), or the HSM key's label (the Arca key id). */
  readonly externalKeyId: string;
}

/** The persistence of custom key stores and their keys' links. Names are unique per region. */
export interface CustomKeyStoreStore {
  /** Adds a store; false (nothing written) when its name is taken in its region. */
  createStore(record: CustomKeyStoreRecord): Promise<boolean>;
  getStore(id: string): Promise<CustomKeyStoreRecord | undefined>;
  findStoreByName(region: string, name: string): Promise<CustomKeyStoreRecord | undefined>;
  /** The stores of a region, oldest first. */
  listStores(region: string): Promise<readonly CustomKeyStoreRecord[]>;
  /** Every store of every region (start-up reconnection). */
  listAllStores(): Promise<readonly CustomKeyStoreRecord[]>;
  /** Replaces a store's settings (same id); false when it is gone or the new name is taken. */
  updateStore(record: CustomKeyStoreRecord): Promise<boolean>;
  /** Deletes a store that has no key links; false when it is gone or still has keys. */
  deleteStore(id: string): Promise<boolean>;
  linkKey(link: CustomKeyStoreKeyLink): Promise<void>;
  keyLink(keyId: string): Promise<CustomKeyStoreKeyLink | undefined>;
  /** The keys linked to a store (destroyed keys are unlinked when destroyed). */
  countKeys(storeId: string): Promise<number>;
  /** The key of a store already backed by `externalKeyId`, if any (XksKeyAlreadyInUse). */
  keyWithExternalId(storeId: string, externalKeyId: string): Promise<string | undefined>;
  /** Removes a key's link (its destruction). */
  unlinkKey(keyId: string): Promise<void>;
}

/** What an XKS proxy call tells the proxy about the request (the spec's `requestMetadata`). */
export interface XksCallMetadata {
  readonly awsPrincipalArn?: string | undefined;
  readonly kmsOperation: string;
  readonly kmsRequestId: string;
  readonly kmsKeyArn?: string | undefined;
}

/** A proxy to call: its settings and its (unwrapped) secret access key. */
export interface XksProxyTarget {
  readonly settings: XksProxySettings;
  readonly secret: SecretBytes;
}

/** An XKS proxy's AES-GCM output (the spec's Encrypt response, decoded). */
export interface XksProxySealed {
  readonly ciphertext: Buffer;
  readonly iv: Buffer;
  readonly tag: Buffer;
  /** Up to 20 bytes the proxy may add; empty when none. */
  readonly metadata: Buffer;
}

/** The external key's metadata (GetKeyMetadata). */
export interface XksKeyMetadata {
  readonly keySpec: string;
  readonly keyUsage: readonly string[];
  readonly keyStatus: string;
}

/**
 * Why an XKS proxy call failed: the spec's `errorName`s, plus what happens on the way (no TCP or TLS
 * connection, a timeout, an answer that is not the spec's). Each maps to AWS's exception and message per
 * KMS operation ({@link XKS_FAILURES}).
 */
export type XksFailure =
  | 'ValidationException'
  | 'InvalidStateException'
  | 'InvalidCiphertextException'
  | 'InvalidKeyUsageException'
  | 'AuthenticationFailedException'
  | 'AccessDeniedException'
  | 'KeyNotFoundException'
  | 'InvalidUriPathException'
  | 'UnsupportedOperationException'
  | 'DependencyTimeoutException'
  | 'ThrottlingException'
  | 'InternalException'
  | 'Unreachable'
  | 'TlsFailed'
  | 'TimedOut'
  | 'MalformedResponse';

/** A failed XKS proxy call. The message is for the operator's log; callers get AWS's words. */
export class XksProxyError extends Error {
  constructor(
    readonly failure: XksFailure,
    message: string,
  ) {
    super(message);
    this.name = 'XksProxyError';
  }
}

/**
 * The client side of the XKS proxy API (spec: /work/shared/references/xks-proxy-api): HTTP(S) with SigV4
 * (service `kms-xks-proxy`) and a timeout. Implemented in src/server/ (network I/O); every method throws
 * {@link XksProxyError} on failure.
 */
export interface ExternalKeyStores {
  health(target: XksProxyTarget, meta: XksCallMetadata): Promise<void>;
  keyMetadata(target: XksProxyTarget, externalKeyId: string, meta: XksCallMetadata): Promise<XksKeyMetadata>;
  encrypt(target: XksProxyTarget, externalKeyId: string, plaintext: SecretBytes, aad: Buffer, meta: XksCallMetadata): Promise<XksProxySealed>;
  decrypt(target: XksProxyTarget, externalKeyId: string, sealed: XksProxySealed, aad: Buffer, meta: XksCallMetadata): Promise<SecretBytes>;
}

/** The connection state of one store on this node, as DescribeCustomKeyStores reports it. */
export interface StoreConnection {
  readonly state: ConnectionState;
  readonly errorCode?: ConnectionErrorCode | undefined;
}

/**
 * What each XKS failure becomes (the spec's "KMS Considerations" table): the connection error code a
 * connect reports, the exception Create/UpdateCustomKeyStore answer, and AWS's message (the same for every
 * operation; cryptographic operations answer it as KMSInvalidStateException).
 */
export const XKS_FAILURES: Record<XksFailure, { readonly connection: ConnectionErrorCode; readonly storeError: 'XksProxyInvalidResponse' | 'XksProxyIncorrectAuthenticationCredential' | 'XksProxyInvalidConfiguration' | 'XksProxyUriUnreachable'; readonly message: string }> = {
  ValidationException: { connection: 'XKS_PROXY_INVALID_RESPONSE', storeError: 'XksProxyInvalidResponse', message: 'AWS KMS cannot interpret the response from the external key store proxy. If you see this error repeatedly, report it to your external key store proxy administrator.' },
  InvalidStateException: { connection: 'XKS_PROXY_INVALID_RESPONSE', storeError: 'XksProxyInvalidResponse', message: 'The external key associated with this KMS key in an external key store is not enabled in the external key manager. Enable the external key in the external key manager and retry the request.' },
  InvalidCiphertextException: { connection: 'XKS_PROXY_INVALID_RESPONSE', storeError: 'XksProxyInvalidResponse', message: 'The external key store proxy rejected the request because the specified ciphertext or encryption context is corrupted, missing, or otherwise invalid.' },
  InvalidKeyUsageException: { connection: 'XKS_PROXY_INVALID_RESPONSE', storeError: 'XksProxyInvalidResponse', message: 'The external key associated with this KMS key in an external key store does not support the requested operation. Enable the operation on the key in your external key manager, and try the request again.' },
  AuthenticationFailedException: { connection: 'INVALID_CREDENTIALS', storeError: 'XksProxyIncorrectAuthenticationCredential', message: 'The external key store proxy rejected the request because it could not authenticate AWS KMS. Verify the XKS proxy authentication credentials for your external key store and update if necessary.' },
  AccessDeniedException: { connection: 'XKS_PROXY_ACCESS_DENIED', storeError: 'XksProxyInvalidResponse', message: 'The external key store proxy denied access to the operation. Verify that the user and the external key are both authorized for this operation, and try the request again.' },
  KeyNotFoundException: { connection: 'XKS_PROXY_INVALID_RESPONSE', storeError: 'XksProxyInvalidResponse', message: 'The external key associated with this KMS key in an external key store was not found in its external key manager. If the external key ID associated with this KMS key is incorrect, create a new KMS key with the correct external key ID.' },
  InvalidUriPathException: { connection: 'XKS_PROXY_INVALID_CONFIGURATION', storeError: 'XksProxyInvalidConfiguration', message: 'The external key store proxy rejected the request because of an invalid URI path. Verify the URI path for your external key store and update if necessary.' },
  UnsupportedOperationException: { connection: 'XKS_PROXY_INVALID_RESPONSE', storeError: 'XksProxyInvalidResponse', message: 'The external key store proxy rejected the request because it does not support the requested operation. If you see this error repeatedly, report it to your external key store proxy administrator.' },
  DependencyTimeoutException: { connection: 'XKS_PROXY_TIMED_OUT', storeError: 'XksProxyUriUnreachable', message: 'The external key store proxy did not respond to the request in the time allotted. Retry the request. If you see this error repeatedly, report it to your external key store proxy administrator.' },
  ThrottlingException: { connection: 'XKS_PROXY_NOT_REACHABLE', storeError: 'XksProxyUriUnreachable', message: 'The external key store proxy rejected the request due to a very high request rate. Reduce the frequency of your calls using KMS keys in this external key store.' },
  InternalException: { connection: 'XKS_PROXY_INVALID_RESPONSE', storeError: 'XksProxyInvalidResponse', message: 'The external key store proxy rejected the request because it cannot communicate with the external key manager. Verify that the external key store proxy configuration is correct and that the external key manager is available.' },
  Unreachable: { connection: 'XKS_PROXY_NOT_REACHABLE', storeError: 'XksProxyUriUnreachable', message: 'AWS KMS cannot communicate with the external key store proxy. This might be a transient network issue. If you see this error repeatedly, verify that your external key store proxy is active and is connected to the network, and that its endpoint URI is correct in your external keystore.' },
  TlsFailed: { connection: 'XKS_PROXY_INVALID_TLS_CONFIGURATION', storeError: 'XksProxyUriUnreachable', message: 'AWS KMS cannot establish a TLS connection to the external key store proxy. Verify the TLS configuration, including its certificate.' },
  TimedOut: { connection: 'XKS_PROXY_TIMED_OUT', storeError: 'XksProxyUriUnreachable', message: 'AWS KMS rejected the request because the external key store proxy did not respond in time. Retry the request. If you see this error repeatedly, report it to your external key store proxy administrator.' },
  MalformedResponse: { connection: 'XKS_PROXY_INVALID_RESPONSE', storeError: 'XksProxyInvalidResponse', message: 'AWS KMS cannot interpret the response from the external key store proxy. If you see this error repeatedly, report it to your external key store proxy administrator.' },
};

/** AWS's message for a key whose external key store is not connected (CreateKey, cryptographic operations). */
export const XKS_NOT_CONNECTED = 'This KMS key is in a custom key store that is not connected to its external key store proxy. Connect the external key store and try the request again.';

/** AWS's pattern of a custom key store id. */
/** Whether an origin is a custom key store's (ADR 0024). */
export function isCustomKeyStoreOrigin(origin: Origin): origin is 'EXTERNAL_KEY_STORE' | 'AWS_CLOUDHSM' {
  return origin === 'EXTERNAL_KEY_STORE' || origin === 'AWS_CLOUDHSM';
}

export const CUSTOM_KEY_STORE_ID = /^cks-[0-9a-f]{17}$/;

/**
 * This node's connections to custom key stores, as operations see them (implemented by custody's
 * KeyStoreConnections): the state DescribeCustomKeyStores reports, the proxy or HSM session of a connected
 * store, and connect/disconnect (Connect/DisconnectCustomKeyStore). Connection failures never throw: they
 * answer FAILED with AWS's ConnectionErrorCode.
 */
export interface KeyStoreConnectionsView {
  state(storeId: string): StoreConnection;
  xksTarget(storeId: string): XksProxyTarget | undefined;
  hsmSession(storeId: string): HsmKeyStoreConnection | undefined;
  connect(store: CustomKeyStoreRecord, requestId: string, operation?: string): Promise<StoreConnection>;
  disconnect(storeId: string): Promise<void>;
}

/** What the custom key store operations and the custody of their keys receive (ServiceDeps.customKeyStores). */
export interface CustomKeyStoresDeps {
  /** The stores and their keys' links (persistence). */
  readonly store: CustomKeyStoreStore;
  /** The XKS proxy client, signing in the pipeline's region. */
  readonly xks: ExternalKeyStores;
  /** This node's connections to the stores of the pipeline's region. */
  readonly connections: KeyStoreConnectionsView;
  /** The HSM clusters this deployment knows (`hsmClusters:`); `undefined`: none (CloudHsmClusterNotFound). */
  readonly hsmClusters: HsmClusters | undefined;
}
