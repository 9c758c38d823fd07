import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/**
 * Raw node:crypto signing of `message` in one thread for `seconds` (after a warm-up): the baseline the
 * Sign workloads are held to (DESIGN.md §8: at least 0.7 of it). Signatures per second.
 */
export function rawSignsPerSecond(type: 'ec' | 'ed25519' | 'ml-dsa-65', message: Buffer, seconds: number): number {
  const { privateKey } = type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : type === 'ed25519' ? generateKeyPairSync('ed25519') : (generateKeyPairSync as unknown as (t: string) => { privateKey: KeyObject })(type);
  const once = () => (type === 'ec' ? sign('sha256', message, { key: privateKey, dsaEncoding: 'der' }) : sign(null, message, privateKey));
  for (let i = 0; i < 500; i++) once();
  let done = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  while (performance.now() < deadline) {
    for (let i = 0; i < 100; i++) once();
    done += 100;
  }
  return done / ((performance.now() - started) / 1000);
}
