import { randomUUID } from 'node:crypto';
import type { CustomKeyStoresDeps, CustomKeyStoreStore } from '../core/custom-key-stores.js';
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
