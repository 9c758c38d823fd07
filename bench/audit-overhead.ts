/**
 * Encrypt throughput with the durable audit trail vs the same server with audit writes to memory only.
 *
 *   npm run build && node dist/bench/audit-overhead.js [--connections 32] [--seconds 8] [--rounds 2]
 *
 * Alternates durable and memory-only servers (separate processes, fresh data dirs) for `rounds` rounds,
 * drives each with the real AWS SDK (4 KiB Encrypt, keep-alive), and prints the median requests per
 * second of each and their ratio (durable / memory; the target is ≥ 0.8).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent as HttpAgent } from 'node:http';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { NodeHttpHandler } from '@smithy/node-http-handler';

const { values } = parseArgs({ options: { connections: { type: 'string', default: '32' }, seconds: { type: 'string', default: '8' }, rounds: { type: 'string', default: '2' } } });
const connections = Number(values.connections);
const seconds = Number(values.seconds);
const payload = Buffer.alloc(4096, 7);

async function startServer(memory: boolean): Promise<{ child: ChildProcess; endpoint: string; accessKeyId: string; secretAccessKey: string }> {
  const child = spawn(process.execPath, [new URL('./audit-server.js', import.meta.url).pathname, ...(memory ? ['--memory-audit'] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((ok) => createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', ok));
  return { child, ...(JSON.parse(line) as { endpoint: string; accessKeyId: string; secretAccessKey: string }) };
}

async function run(memory: boolean): Promise<number> {
  const server = await startServer(memory);
  try {
    const kms = new KMSClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler({ httpAgent: new HttpAgent({ keepAlive: true, maxSockets: connections }) }),
    });
    const keyId = (await kms.send(new CreateKeyCommand({ Description: 'bench' }))).KeyMetadata?.KeyId;
    for (let i = 0; i < 300; i++) await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: payload }));
    let done = 0;
    let errors = 0;
    const started = performance.now();
    const deadline = started + seconds * 1000;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < deadline) {
          try {
            await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: payload }));
            done++;
          } catch {
            errors++;
          }
        }
      }),
    );
    if (errors > 0) throw new Error(`${errors} requests failed`);
    kms.destroy();
    return done / ((performance.now() - started) / 1000);
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((ok) => server.child.once('exit', ok));
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const durable: number[] = [];
const memory: number[] = [];
for (let r = 0; r < Number(values.rounds); r++) {
  durable.push(await run(false));
  memory.push(await run(true));
}
process.stdout.write(
  JSON.stringify({
    operation: 'Encrypt',
    payloadBytes: payload.length,
    connections,
    seconds,
    durableRps: durable.map(Math.round),
    memoryRps: memory.map(Math.round),
    ratio: Number((median(durable) / median(memory)).toFixed(3)),
  }) + '\n',
);
