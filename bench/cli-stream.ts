/**
 * `arca encrypt` then `arca decrypt` of a generated stream (issue 23), in this process against an
 * in-process Arca: the same modules the commands use, the message piped straight from the encryptor to
 * the decryptor (never whole in memory). Prints MB/s and the peak RSS sampled every 100 ms.
 *
 *   npm run bench:stream                      # 1 GiB, 64 KiB frames (the CLI's default)
 *   npm run bench:stream -- --mib 256 --frame-length 4096
 */
import { CreateKeyCommand, KMS } from '@aws-sdk/client-kms';
import { parseArgs } from 'node:util';
import { DEFAULT_FRAME_LENGTH } from '../src/cli/encryption/message-stream.js';
import { encryptThenDecrypt, rssSampler } from '../test/helpers/encrypt-stream.js';
import { startInProcess } from '../test/helpers/in-process.js';

const { values } = parseArgs({ options: { mib: { type: 'string', default: '1024' }, 'frame-length': { type: 'string', default: String(DEFAULT_FRAME_LENGTH) } } });
const MiB = 1 << 20;
const total = Number(values.mib) * MiB;
const frameLength = Number(values['frame-length']);

const s = await startInProcess();
const kms = new KMS({ endpoint: s.endpoint, region: s.credentials.region, credentials: { accessKeyId: s.credentials.accessKeyId, secretAccessKey: s.credentials.secretAccessKey }, maxAttempts: 1 });
try {
  const keyId = String((await kms.send(new CreateKeyCommand({ Description: 'bench:stream' }))).KeyMetadata?.KeyId);
  await encryptThenDecrypt(s, keyId, 8 * MiB, frameLength); // warm-up
  const rssBefore = process.memoryUsage().rss;
  const sampler = rssSampler(100);
  const started = performance.now();
  const r = await encryptThenDecrypt(s, keyId, total, frameLength);
  const seconds = (performance.now() - started) / 1000;
  const peak = sampler.stop();
  if (r.outDigest !== r.plainDigest || r.outBytes !== total) throw new Error('the decrypted stream differs from the generated one');
  const result = {
    bytes: total,
    frameLength,
    algorithmSuite: r.encrypted.algorithmSuite,
    messageBytes: r.encrypted.bytesOut,
    seconds: Number(seconds.toFixed(2)),
    // Each plaintext byte is encrypted and decrypted once within this time (both ends run concurrently).
    mbPerSecond: Number((total / 1e6 / seconds).toFixed(1)),
    rssBeforeMiB: Number((rssBefore / MiB).toFixed(1)),
    peakRssMiB: Number((peak / MiB).toFixed(1)),
    peakGrowthMiB: Number(((peak - rssBefore) / MiB).toFixed(1)),
  };
  process.stdout.write(JSON.stringify(result) + '\n');
} finally {
  kms.destroy();
  await s.close();
}
