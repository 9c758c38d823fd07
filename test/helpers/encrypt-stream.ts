import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, Readable, Writable } from 'node:stream';
import { ArcaKms } from '../../src/cli/encryption/arca-kms.js';
import { decryptKeyring, decryptMessage, encryptKeyring, encryptMessage, type StreamOutcome } from '../../src/cli/encryption/message-stream.js';
import type { InProcessServer } from './in-process.js';

/** `total` bytes generated in 1 MiB chunks (one random block repeated), hashed as they are produced. */
export function generatedStream(total: number): { readonly stream: Readable; digest(): string } {
  const block = randomBytes(1 << 20);
  const hash = createHash('sha256');
  let left = total;
  const stream = new Readable({
    read() {
      if (left === 0) return void this.push(null);
      const chunk = block.subarray(0, Math.min(block.length, left));
      left -= chunk.length;
      hash.update(chunk);
      this.push(chunk);
    },
  });
  return { stream, digest: () => hash.digest('hex') };
}

/** A sink that keeps only a count and a hash of what it receives. */
export function hashingSink(): { readonly stream: Writable; readonly bytes: () => number; digest(): string } {
  const hash = createHash('sha256');
  let bytes = 0;
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      hash.update(chunk);
      done();
    },
  });
  return { stream, bytes: () => bytes, digest: () => hash.digest('hex') };
}

/**
 * Encrypts a generated stream of `total` bytes under `keyId` and decrypts the message as it is produced
 * (one pipe, never a whole message in memory), through the same modules `arca encrypt/decrypt` use.
 */
export async function encryptThenDecrypt(s: InProcessServer, keyId: string, total: number, frameLength?: number): Promise<{ encrypted: StreamOutcome; decrypted: StreamOutcome; plainDigest: string; outDigest: string; outBytes: number }> {
  const kms = new ArcaKms({ endpoint: s.endpoint, region: s.credentials.region, credentials: { accessKeyId: s.credentials.accessKeyId, secretAccessKey: s.credentials.secretAccessKey } });
  try {
    const source = generatedStream(total);
    const sink = hashingSink();
    const message = new PassThrough();
    const keyArn = await kms.keyArn(keyId);
    const [encrypted, decrypted] = await Promise.all([
      encryptMessage(source.stream, { stream: message }, { materials: encryptKeyring(kms, keyArn), context: { purpose: 'stream' }, frameLength }),
      decryptMessage(message, { stream: sink.stream }, { materials: decryptKeyring(kms, { keyArns: [keyArn] }), expectContext: { purpose: 'stream' } }),
    ]);
    return { encrypted, decrypted, plainDigest: source.digest(), outDigest: sink.digest(), outBytes: sink.bytes() };
  } finally {
    kms.destroy();
  }
}

/** Samples `process.memoryUsage().rss` every `everyMs` until stopped; answers the peak. */
export function rssSampler(everyMs = 100): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}
