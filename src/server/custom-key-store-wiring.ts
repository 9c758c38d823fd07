import { randomUUID } from 'node:crypto';
import type { CustomKeyStoreRecord, CustomKeyStoresDeps, CustomKeyStoreStore } from '../core/custom-key-stores.js';
import type { HsmClusters } from '../core/hsm-keys.js';
import type { Keyring, Logger } from '../core/ports.js';
import { KeyStoreConnections } from '../custody/key-store-connections.js';
import { xksClientFor, type CustomKeyStoresConfig } from './custom-key-stores.js';

/** What the composition takes for custom key stores (ADR 0024); part of the app configuration. */
export interface CustomKeyStoresAppConfig {
  /** arca.yaml's `customKeyStores:` (the XKS client's timeout and CA file); absent: the defaults. */
  readonly customKeyStores?: CustomKeyStoresConfig | undefined;
  /** The HSM clusters `AWS_CLOUDHSM` stores connect to (`openHsmClusters(config)`; tests: a memory one); absent: none. */
  readonly hsmClusters?: HsmClusters | undefined;
}

export interface CustomKeyStoreWiringParts {
  readonly store: CustomKeyStoreStore;
  /** The key hierarchy: unwraps the stores' secrets (refuses while sealed). */
  readonly keyring: Keyring;
  readonly logger: Logger;
  /** Whether the hierarchy is open: nothing connects while sealed. */
  readonly isOpen: () => boolean;
}

/**
 * The custom key stores of a composition (src/server/app.ts): one connection manager and one XKS client
 * per region (a proxy is signed for in the region of its store), made on first use. At start and at each
 * unseal the stores whose `connect` flag is set connect again ({@link reconnectAll}); sealing and shutdown
 * forget every XKS secret and close every HSM session ({@link seal}).
 */
export class CustomKeyStoreWiring {
  readonly #config: CustomKeyStoresAppConfig;
  readonly #parts: CustomKeyStoreWiringParts;
  readonly #regions = new Map<string, CustomKeyStoresDeps>();
  readonly #connections = new Map<string, KeyStoreConnections>();
  /** What {@link sync} last saw of each store: its connect flag and its settings (secret included, wrapped). */
  readonly #seen = new Map<string, { readonly connect: boolean; readonly settings: string }>();
  #syncing = false;

  constructor(config: CustomKeyStoresAppConfig, parts: CustomKeyStoreWiringParts) {
    this.#config = config;
    this.#parts = parts;
  }

  /** ServiceDeps.customKeyStores of `region`'s pipeline. */
  forRegion(region: string): CustomKeyStoresDeps {
    const known = this.#regions.get(region);
    if (known !== undefined) return known;
    const { store, keyring, logger } = this.#parts;
    const xks = xksClientFor(this.#config.customKeyStores, region);
    const connections = new KeyStoreConnections({
      // Each region reconnects its own stores.
      stores: { listAllStores: async () => (await store.listAllStores()).filter((s) => s.region === region) },
      keyring,
      xks,
      hsm: this.#config.hsmClusters,
      logger,
    });
    const deps: CustomKeyStoresDeps = { store, xks, connections, hsmClusters: this.#config.hsmClusters };
    this.#regions.set(region, deps);
    this.#connections.set(region, connections);
    return deps;
  }

  /** The connection manager of `region` (made with its ServiceDeps part on first use). */
  #connectionsOf(region: string): KeyStoreConnections {
    this.forRegion(region);
    const c = this.#connections.get(region);
    if (c === undefined) throw new Error(`no connection manager for ${region}`);
    return c;
  }

  /**
   * Follows what other nodes did to the stores (each heartbeat, ADR 0024): a store whose connect flag was
   * cleared is disconnected here, one whose flag was set is connected here, and a connected external key
   * store whose proxy settings or credential changed connects again. Only changes since the last look
   * act, so this node's own Connect (which connects before its flag commits) is never undone; a store first
   * seen with its flag set is connected if it is not. A FAILED store is left as it is until disconnected, as
   * in AWS.
   */
  async sync(): Promise<void> {
    if (this.#syncing || !this.#parts.isOpen()) return;
    this.#syncing = true;
    try {
      const stores = await this.#parts.store.listAllStores();
      for (const s of stores) {
        const now = { connect: s.connect, settings: settingsOf(s) };
        const before = this.#seen.get(s.id);
        this.#seen.set(s.id, now);
        if (before !== undefined && before.connect === now.connect && before.settings === now.settings) continue;
        const c = this.#connectionsOf(s.region);
        const here = c.state(s.id).state;
        if (!s.connect) {
          if (before !== undefined && here !== 'DISCONNECTED') await c.disconnect(s.id);
        } else if (here === 'DISCONNECTED' || (s.xks !== undefined && before !== undefined && before.settings !== now.settings && here === 'CONNECTED')) {
          await c.connect(s, randomUUID(), 'KmsHealthCheck');
        }
      }
      const live = new Set(stores.map((s) => s.id));
      // A store gone from the database (a dev-mode reset wipes the tables): whatever this node held is dropped.
      for (const id of [...this.#seen.keys()]) {
        if (live.has(id)) continue;
        this.#seen.delete(id);
        for (const c of this.#connections.values()) await c.disconnect(id);
      }
    } catch (e) {
      this.#parts.logger.warn('following the custom key stores of other nodes failed', { error: String(e) });
    } finally {
      this.#syncing = false;
    }
  }

  /** Connects every store whose `connect` flag is set (start-up, unseal); failures leave the store FAILED, never throw. */
  async reconnectAll(): Promise<void> {
    if (!this.#parts.isOpen()) return;
    try {
      const regions = new Set((await this.#parts.store.listAllStores()).filter((s) => s.connect).map((s) => s.region));
      const requestId = randomUUID();
      for (const region of regions) {
        this.forRegion(region);
        await this.#connections.get(region)?.reconnectAll(requestId);
      }
    } catch (e) {
      this.#parts.logger.error('reconnecting the custom key stores failed', { error: String(e) });
    }
  }

  /** Sealing and shutdown: every XKS secret zeroed and every HSM session closed, on every region. */
  async seal(): Promise<void> {
    for (const c of this.#connections.values()) await c.seal().catch((e: unknown) => this.#parts.logger.error('disconnecting the custom key stores failed', { error: String(e) }));
  }
}

/** A store's settings as {@link CustomKeyStoreWiring.sync} compares them (the wrapped secret included: a new credential changes it). */
function settingsOf(s: CustomKeyStoreRecord): string {
  return JSON.stringify({ xks: s.xks, hsm: s.hsm, secret: Buffer.from(s.secret.wrapped).toString('hex'), version: s.secret.domainKeyVersion });
}
