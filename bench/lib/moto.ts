import { spawnSync } from 'node:child_process';

/** The moto_server executable, if one runs on this machine. */
export function findMoto(): string | undefined {
  const r = spawnSync('moto_server', ['--help'], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 ? 'moto_server' : undefined;
}
