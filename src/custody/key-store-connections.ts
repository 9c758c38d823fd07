import { customKeyStoreSecretBinding } from '../core/bindings.js';
import {
  XKS_FAILURES,
  XksProxyError,
  type CustomKeyStoreRecord,
  type CustomKeyStoreStore,
  type ExternalKeyStores,
  type StoreConnection,
  type XksProxyTarget,
} from '../core/custom-key-stores.js';
import { HsmConnectionError, type HsmClusters, type HsmKeyStoreConnection } from '../core/hsm-keys.js';
import type { Keyring, Logger } from '../core/ports.js';
import type { SecretBytes } from '../crypto/secret-bytes.js';

/** What one node holds for a connected store: the XKS target (its unwrapped secret) or an HSM session. */
type Held =
  | { readonly state: 'CONNECTED'; readonly xks?: XksProxyTarget | undefined; readonly hsm?: HsmKeyStoreConnection | undefined }
  | { readonly state: 'FAILED'; readonly connection: StoreConnection };

export interface KeyStoreConnectionsDeps {
  readonly stores: Pick<CustomKeyStoreStore, 'listAllStores'>;
  /** Unwraps the stores' secrets (the key hierarchy): a sealed hierarchy refuses, so nothing connects while sealed. */
  readonly keyring: Keyring;
  readonly xks: ExternalKeyStores;
  /** The HSM clusters this deployment knows; undefined: none (every CloudHSM store fails with CLUSTER_NOT_FOUND). */
  readonly hsm: HsmClusters | undefined;
  readonly logger: Logger;
}

/**
 * The connection state of custom key stores on this node (ADR 0024): AWS keeps one state per store; in
 * Arca each node connects on its own, while the store's persisted `connect` flag says it should. A
 * connected XKS store holds its unwrapped secret access key, a connected HSM store a logged-in session;
 * {@link seal} forgets both. Connection failures never throw: they leave the store FAILED with AWS's
 * ConnectionErrorCode, as DescribeCustomKeyStores reports it.
 */
export class KeyStoreConnections {
  readonly #deps: KeyStoreConnectionsDeps;
  readonly #held = new Map<string, Held>();

  constructor(deps: KeyStoreConnectionsDeps) {
    this.#deps = deps;
  }

  /** This node's state of a store (DISCONNECTED when it never connected here). */
  state(storeId: string): StoreConnection {
    const h = this.#held.get(storeId);
    return h === undefined ? { state: 'DISCONNECTED' } : h.state === 'CONNECTED' ? { state: 'CONNECTED' } : h.connection;
  }

  /** The proxy of a connected external key store; undefined when it is not connected here. */
  xksTarget(storeId: string): XksProxyTarget | undefined {
    const h = this.#held.get(storeId);
    return h?.state === 'CONNECTED' ? h.xks : undefined;
  }

  /** The session of a connected HSM key store; undefined when it is not connected here. */
  hsmSession(storeId: string): HsmKeyStoreConnection | undefined {
    const h = this.#held.get(storeId);
    return h?.state === 'CONNECTED' ? h.hsm : undefined;
  }

  /** Connects a store (replacing any earlier connection): CONNECTED, or FAILED with the reason. */
  async connect(store: CustomKeyStoreRecord, requestId: string, operation = 'ConnectCustomKeyStore'): Promise<StoreConnection> {
    await this.disconnect(store.id);
    const secret = await this.#deps.keyring.unwrap(store.secret, customKeyStoreSecretBinding(store.id));
    const fail = (connection: StoreConnection, why: string): StoreConnection => {
      secret.dispose();
      this.#deps.logger.warn('custom key store connection failed', { customKeyStoreId: store.id, errorCode: connection.errorCode, reason: why });
      this.#held.set(store.id, { state: 'FAILED', connection });
      return connection;
    };
    if (store.xks !== undefined) {
      const target = { settings: store.xks, secret };
      try {
        await this.#deps.xks.health(target, { kmsOperation: operation, kmsRequestId: requestId });
      } catch (e) {
        const failure = e instanceof XksProxyError ? e.failure : 'MalformedResponse';
        return fail({ state: 'FAILED', errorCode: XKS_FAILURES[failure].connection }, e instanceof Error ? e.message : String(e));
      }
      this.#held.set(store.id, { state: 'CONNECTED', xks: target });
      return { state: 'CONNECTED' };
    }
    if (store.hsm !== undefined) {
      if (this.#deps.hsm === undefined || !this.#deps.hsm.has(store.hsm.clusterId)) return fail({ state: 'FAILED', errorCode: 'CLUSTER_NOT_FOUND' }, `no HSM cluster ${store.hsm.clusterId} is configured`);
      try {
        const session = await this.#deps.hsm.connect(store.hsm.clusterId, secret);
        secret.dispose();
        this.#held.set(store.id, { state: 'CONNECTED', hsm: session });
        return { state: 'CONNECTED' };
      } catch (e) {
        return fail({ state: 'FAILED', errorCode: e instanceof HsmConnectionError ? e.code : 'INTERNAL_ERROR' }, e instanceof Error ? e.message : String(e));
      }
    }
    return fail({ state: 'FAILED', errorCode: 'INTERNAL_ERROR' }, 'the store has neither XKS nor HSM settings');
  }

  /** Forgets a store's connection on this node: the XKS secret is zeroed, the HSM session closed. */
  async disconnect(storeId: string): Promise<void> {
    const h = this.#held.get(storeId);
    this.#held.delete(storeId);
    if (h?.state !== 'CONNECTED') return;
    dispose(h.xks?.secret);
    await h.hsm?.close().catch((e: unknown) => this.#deps.logger.warn('closing an HSM session failed', { customKeyStoreId: storeId, error: String(e) }));
  }

  /** Connects every store whose desired state is connected (start-up and unseal). */
  async reconnectAll(requestId: string): Promise<void> {
    // At once: an unreachable proxy costs start-up and unseal one timeout, not one per store.
    const wanted = (await this.#deps.stores.listAllStores()).filter((store) => store.connect);
    const settled = await Promise.allSettled(wanted.map((store) => this.connect(store, requestId, 'KmsHealthCheck')));
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  /** Sealing: every secret forgotten and every session closed; the stores read DISCONNECTED here until the next unseal. */
  async seal(): Promise<void> {
    for (const id of [...this.#held.keys()]) await this.disconnect(id);
  }
}

function dispose(secret: SecretBytes | undefined): void {
  secret?.dispose();
}
