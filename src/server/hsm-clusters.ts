import type { HsmClusters } from '../core/hsm-keys.js';
import { Pkcs11HsmClusters, type HsmPkcs11Api } from '../root/pkcs11/hsm-key-store.js';
import type { HsmClustersConfig } from './hsm-clusters-config.js';

/**
 * The HSM clusters of the configuration (`hsmClusters:`, docs/hsm-key-stores.md) for the composition root,
 * which hands them to the custom key stores (`customKeyStores.hsmClusters`); `undefined` when none is
 * configured. Modules are loaded at the first connect. `load` replaces the module loader (tests).
 */
export function openHsmClusters(config: { readonly hsmClusters?: HsmClustersConfig | undefined }, load?: (module: string) => HsmPkcs11Api): HsmClusters | undefined {
  const list = config.hsmClusters;
  if (list === undefined || list.length === 0) return undefined;
  return new Pkcs11HsmClusters({
    clusters: list.map((c) => ({
      clusterId: c.clusterId,
      module: c.module,
      token: c.tokenLabel !== undefined ? { label: c.tokenLabel } : { slotIndex: c.slot ?? 0 },
      sessions: c.sessions,
      pinPolicy: c.pinPolicy,
    })),
    ...(load !== undefined ? { load } : {}),
  });
}
