import type { Logger } from '../core/ports.js';
import { BackupRefused } from '../core/backup-file.js';
import type { RootMaterial } from './backup-root.js';
import { systemClock } from './clock.js';
import { loadServerConfigFile } from './config.js';
import { openPkcs11Root } from './pkcs11-root-factory.js';

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * How backup commands open a PKCS#11 root: from a server configuration file (`--config`), validated as
 * `arca server` validates it (BackupRefused listing every error), its `root:` section (module, token,
 * PIN file or variable, key label) opened as the server opens it. `undefined` for a Shamir configuration.
 * Kept out of backup-root.ts: config.ts reaches app.ts, which reaches backup-root.ts (an import cycle).
 */
export function hsmOpenerFromConfig(configFile: string, env: Readonly<Record<string, string | undefined>>): RootMaterial['openHsm'] {
  const loaded = loadServerConfigFile(configFile, env);
  if (!loaded.ok) throw new BackupRefused(`${configFile} is not a valid configuration: ${loaded.errors.join('; ')}`);
  const root = loaded.config.root;
  if (root.type !== 'pkcs11') return undefined;
  return (store) => openPkcs11Root(root, store, systemClock, env, quiet);
}
