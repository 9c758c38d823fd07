import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDataDir } from './server.js';

const MODULE_PATHS = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so', '/usr/local/lib/softhsm/libsofthsm2.so'];

export interface SoftHsmToken {
  readonly module: string;
  readonly label: string;
  readonly pin: string;
  readonly dir: string;
}

/** Why SoftHSM2 tests cannot run here, or `undefined` when they can. */
export function softHsmMissing(): string | undefined {
  if (MODULE_PATHS.every((p) => !existsSync(p))) return `libsofthsm2.so not found (looked in ${MODULE_PATHS.join(', ')}); apt-get install softhsm2`;
  if (spawnSync('softhsm2-util', ['--version']).status !== 0) return 'softhsm2-util is not on PATH; apt-get install softhsm2';
  return undefined;
}

/**
 * A fresh SoftHSM2 token in a temp directory. Sets SOFTHSM2_CONF for this process: call it before the
 * module is first loaded (SoftHSM reads its configuration at C_Initialize).
 */
export function createSoftHsmToken(label = 'arca-test', pin = '1234'): SoftHsmToken {
  const dir = tempDataDir('arca-softhsm-');
  const tokens = join(dir, 'tokens');
  mkdirSync(tokens);
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env['SOFTHSM2_CONF'] = conf;
  const r = spawnSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', '87654321'], { encoding: 'utf8', env: process.env });
  if (r.status !== 0) throw new Error(`softhsm2-util --init-token failed: ${r.stderr}${r.stdout}`);
  const module = MODULE_PATHS.find((p) => existsSync(p)) as string;
  return { module, label, pin, dir };
}
