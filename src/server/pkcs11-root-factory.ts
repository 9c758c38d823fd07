import type { Clock, Logger, SealableRoot, SealStore } from '../core/ports.js';
import type { RootConfig } from './config.js';

/** Opens a PKCS#11 root from its configuration. */
export async function openPkcs11Root(
  _config: Extract<RootConfig, { type: 'pkcs11' }>,
  _store: SealStore,
  _clock: Clock,
  _env: Readonly<Record<string, string | undefined>>,
  _logger: Logger,
): Promise<SealableRoot> {
  throw new Error('root.type pkcs11 is not available in this build yet');
}
