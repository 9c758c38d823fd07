import { readFileSync } from 'node:fs';
import { SecretBytes } from '../crypto/secret-bytes.js';
import type { Clock, Logger, SealableRoot, SealStore } from '../core/ports.js';
import { loadPkcs11Module } from '../root/pkcs11/pkcs11-module.js';
import { Pkcs11RootOfTrust, type Pkcs11Api } from '../root/pkcs11/pkcs11-root.js';
import type { RootConfig } from './config.js';

/**
 * Opens a PKCS#11 root from its configuration: loads the module (once per process), reads the PIN from
 * `pinFile` (first line) or `pinEnv`. The root starts sealed; the server's probe unseals it.
 * `api` replaces the loaded module (tests inject faults through it).
 */
export async function openPkcs11Root(
  config: Extract<RootConfig, { type: 'pkcs11' }>,
  store: SealStore,
  clock: Clock,
  env: Readonly<Record<string, string | undefined>>,
  logger: Logger,
  api?: Pkcs11Api,
): Promise<SealableRoot> {
  const pinText = config.pinFile !== undefined ? (readFileSync(config.pinFile, 'utf8').split('\n')[0] ?? '') : (env[config.pinEnv ?? ''] ?? '');
  return Pkcs11RootOfTrust.open({
    api: api ?? loadPkcs11Module(config.module),
    token: config.tokenLabel !== undefined ? { label: config.tokenLabel } : { slotIndex: config.slot ?? 0 },
    pin: SecretBytes.adopt(Buffer.from(pinText.trim(), 'utf8')),
    keyLabel: config.keyLabel,
    store,
    clock,
    logger,
  });
}
