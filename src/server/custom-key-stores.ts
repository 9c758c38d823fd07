import { readFileSync } from 'node:fs';
import type { ExternalKeyStores } from '../core/custom-key-stores.js';
import { XksClient } from './xks-client.js';

/** The client side of custom key stores as the composition takes it (`customKeyStores:` in arca.yaml). */
export interface CustomKeyStoresConfig {
  readonly xks?: { readonly timeoutMs?: number | undefined; readonly caFile?: string | undefined } | undefined;
}

/** AWS KMS waits 250 ms for a proxy; Arca's default leaves room for a proxy farther away. */
export const DEFAULT_XKS_TIMEOUT_MS = 2000;

/** The composition's settings from arca.yaml's `customKeyStores:` (absent: the defaults). */
export function customKeyStoresOf(config: { readonly customKeyStores?: CustomKeyStoresConfig | undefined }): CustomKeyStoresConfig | undefined {
  return config.customKeyStores;
}

/** The XKS proxy client for the stores of `region`'s requests (the CA file is read once, here, at start). */
export function xksClientFor(config: CustomKeyStoresConfig | undefined, region: string): ExternalKeyStores {
  const caFile = config?.xks?.caFile;
  return new XksClient({ timeoutMs: config?.xks?.timeoutMs ?? DEFAULT_XKS_TIMEOUT_MS, region, ca: caFile === undefined ? undefined : readFileSync(caFile) });
}
