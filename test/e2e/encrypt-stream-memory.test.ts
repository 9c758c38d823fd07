/**
 * `arca encrypt/decrypt` stream with constant memory (issue 23): 256 MiB generated, encrypted and decrypted
 * through one pipe in this process; the process's RSS grows by less than half the stream's size (a copy of
 * the stream, plaintext or message, would need all of it). No timing. The margin is the heap's own growth:
 * a 64 MiB stream once grew RSS by 64.1 MiB on Node 24 while 256 MiB and 512 MiB runs grew by under 6 MiB.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateKeyCommand, KMS } from '@aws-sdk/client-kms';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { encryptThenDecrypt, rssSampler } from '../helpers/encrypt-stream.js';

const MiB = 1 << 20;
const STREAM = 256 * MiB;

describe('arca encrypt/decrypt streaming memory', () => {
  let s: InProcessServer;
  let keyId: string;
  before(async () => {
    s = await startInProcess();
    const kms = new KMS({ endpoint: s.endpoint, region: s.credentials.region, credentials: { accessKeyId: s.credentials.accessKeyId, secretAccessKey: s.credentials.secretAccessKey }, maxAttempts: 1 });
    keyId = String((await kms.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId);
    kms.destroy();
  });
  after(() => s.close());

  it('a 256 MiB stream through encrypt then decrypt grows RSS by less than 128 MiB', async () => {
    await encryptThenDecrypt(s, keyId, 32 * MiB); // warm up: modules, keep-alive sockets, JIT, the heap's first growth
    const before = process.memoryUsage().rss;
    const sampler = rssSampler();
    const r = await encryptThenDecrypt(s, keyId, STREAM);
    const peak = sampler.stop();
    const afterRss = process.memoryUsage().rss;
    assert.equal(r.outBytes, STREAM);
    assert.equal(r.outDigest, r.plainDigest, 'the decrypted stream is the generated one');
    assert.ok(r.encrypted.bytesOut > STREAM, 'the message carries the whole stream');
    const growth = afterRss - before;
    const peakGrowth = peak - before;
    process.stdout.write(`# RSS before ${(before / MiB).toFixed(1)} MiB, after ${(afterRss / MiB).toFixed(1)} MiB, peak ${(peak / MiB).toFixed(1)} MiB\n`);
    assert.ok(growth < STREAM / 2, `RSS grew by ${(growth / MiB).toFixed(1)} MiB`);
    assert.ok(peakGrowth < STREAM / 2, `RSS peaked ${(peakGrowth / MiB).toFixed(1)} MiB above the start`);
  });
});
