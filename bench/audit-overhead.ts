/**
 * Encrypt throughput with the durable audit trail vs the same server with audit writes to memory only.
 *
 *   npm run build && node dist/bench/audit-overhead.js [--connections 32] [--seconds 8] [--rounds 2] [--sqlite-full] [--client sdk|raw]
 *
 * Starts a durable and a memory-only server side by side (separate processes, fresh data dirs), drives
 * them with the real AWS SDK (4 KiB Encrypt, keep-alive) in alternating one-second slices for
 * `rounds × seconds` seconds each, and prints the requests per second of each and their ratio
 * (durable / memory; the target is ≥ 0.8). --sqlite-full makes the durable server fsync inside SQLite's
 * commit instead of on the thread pool.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent as HttpAgent } from 'node:http';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import autocannon from 'autocannon';
import { closedLoop } from './lib/closed-loop.js';

const { values } = parseArgs({
  options: { connections: { type: 'string', default: '32' }, seconds: { type: 'string', default: '8' }, rounds: { type: 'string', default: '2' }, 'sqlite-full': { type: 'boolean', default: false }, client: { type: 'string', default: 'sdk' } },
});
const connections = Number(values.connections);
const seconds = Number(values.seconds);
const payload = Buffer.alloc(4096, 7);

async function startServer(memory: boolean): Promise<{ child: ChildProcess; endpoint: string; accessKeyId: string; secretAccessKey: string }> {
  const child = spawn(process.execPath, [new URL('./audit-server.js', import.meta.url).pathname, ...(memory ? ['--memory-audit'] : []), ...(values['sqlite-full'] ? ['--sqlite-full'] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((ok) => createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', ok));
  return { child, ...(JSON.parse(line) as { endpoint: string; accessKeyId: string; secretAccessKey: string }) };
}

interface Target {
  readonly kms: KMSClient;
  readonly keyId: string | undefined;
  readonly endpoint: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  readonly stop: () => Promise<void>;
}

async function target(memory: boolean): Promise<Target> {
  const server = await startServer(memory);
  const kms = new KMSClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent: new HttpAgent({ keepAlive: true, maxSockets: connections }) }),
  });
  const keyId = (await kms.send(new CreateKeyCommand({ Description: 'bench' }))).KeyMetadata?.KeyId;
  for (let i = 0; i < 300; i++) await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: payload }));
  return {
    kms,
    keyId,
    endpoint: server.endpoint,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    async stop() {
      kms.destroy();
      server.child.kill('SIGTERM');
      await new Promise((ok) => server.child.once('exit', ok));
    },
  };
}

/**
 * `--client raw`: one SigV4-signed Encrypt request replayed by autocannon (valid for the 5-minute skew
 * window), so that the load generator costs far less than the server and the server's own overhead shows.
 */
async function rawSlice(t: Target, ms: number): Promise<number> {
  const url = new URL(t.endpoint);
  const body = JSON.stringify({ KeyId: t.keyId, Plaintext: payload.toString('base64') });
  const signer = new SignatureV4({ service: 'kms', region: 'us-east-1', credentials: t.credentials, sha256: Sha256 });
  const signed = await signer.sign(
    new HttpRequest({ method: 'POST', protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: '/', headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.Encrypt' }, body }),
  );
  const result = await autocannon({ url: t.endpoint, method: 'POST', headers: signed.headers as Record<string, string>, body, connections, duration: ms / 1000 });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return result.requests.total;
}

/** Requests completed against `t` in `ms` milliseconds with `connections` concurrent callers. */
async function slice(t: Target, ms: number): Promise<number> {
  if (values.client === 'raw') return rawSlice(t, ms);
  const r = await closedLoop(() => t.kms.send(new EncryptCommand({ KeyId: t.keyId, Plaintext: payload })), connections, ms / 1000);
  if (r.errors > 0) throw new Error(`${r.errors} Encrypt requests failed`);
  return r.requests;
}

// Both servers run side by side; short slices alternate between them so that both see the same
// background load (the machine is shared), and the totals are compared.
const durableTarget = await target(false);
const memoryTarget = await target(true);
const sliceMs = 1000;
const slices = Math.max(1, Math.round((seconds * 1000) / sliceMs));
let durable = 0;
let memory = 0;
try {
  for (let r = 0; r < Number(values.rounds) * slices; r++) {
    if (r % 2 === 0) {
      durable += await slice(durableTarget, sliceMs);
      memory += await slice(memoryTarget, sliceMs);
    } else {
      memory += await slice(memoryTarget, sliceMs);
      durable += await slice(durableTarget, sliceMs);
    }
  }
} finally {
  await durableTarget.stop();
  await memoryTarget.stop();
}
const total = (Number(values.rounds) * slices * sliceMs) / 1000;
process.stdout.write(
  JSON.stringify({
    operation: 'Encrypt',
    payloadBytes: payload.length,
    client: values.client,
    connections,
    secondsEach: total,
    durability: values['sqlite-full'] ? 'sqlite-full' : 'wal-fdatasync',
    durableRps: Math.round(durable / total),
    memoryRps: Math.round(memory / total),
    ratio: Number((durable / memory).toFixed(3)),
  }) + '\n',
);
