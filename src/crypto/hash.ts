import { createHash } from 'node:crypto';

export function sha256(data: Uint8Array | string): Buffer {
  return createHash('sha256').update(data).digest();
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** An incremental SHA-256, for data that is never whole in memory (a backup file). */
export interface Sha256Stream {
  update(data: Uint8Array): void;
  digest(): Buffer;
}

export function sha256Stream(): Sha256Stream {
  const hash = createHash('sha256');
  return { update: (data) => void hash.update(data), digest: () => hash.digest() };
}
