/**
 * Encrypt throughput with metrics, request quotas and anomaly detection on vs all three off (issue 16:
 * the target is a ratio ≥ 0.95). The quotas are set high enough never to refuse: what is measured is the
 * cost of counting, not of throttling.
 *
 *   npm run bench:metrics [-- --connections 32] [--seconds 8] [--rounds 2]
 *
 * Starts two servers side by side (bench/audit-server.ts, durable audit trail, fresh data dirs), one
 * observed (--observe) and one bare (--bare), and drives both with the real AWS SDK (4 KiB Encrypt, keep-alive) in alternating
 * one-second slices; the observed server is scraped once per slice, as Prometheus would. Prints the
 * requests per second of each and their ratio (on / off).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent as HttpAgent } from 'node:http';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { closedLoop } from './lib/closed-loop.js';

const { values } = parseArgs({ options: { connections: { type: 'string', default: '32' }, seconds: { type: 'string', default: '8' }, rounds: { type: 'string', default: '2' } } });
const connections = Number(values.connections);
const payload = Buffer.alloc(4096, 7);

interface Target {
  readonly endpoint: string;
  readonly kms: KMSClient;
  readonly keyId: string | undefined;
  readonly child: ChildProcess;
}

async function target(metrics: boolean): Promise<Target> {
  const child = spawn(process.execPath, [new URL('./audit-server.js', import.meta.url).pathname, metrics ? '--observe' : '--bare'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((ok) => createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', ok));
  const s = JSON.parse(line) as { endpoint: string; accessKeyId: string; secretAccessKey: string };
  const kms = new KMSClient({
    endpoint: s.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey },
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent: new HttpAgent({ keepAlive: true, maxSockets: connections }) }),
  });
  const keyId = (await kms.send(new CreateKeyCommand({ Description: 'bench' }))).KeyMetadata?.KeyId;
  for (let i = 0; i < 300; i++) await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: payload }));
  return { endpoint: s.endpoint, kms, keyId, child };
}

async function slice(t: Target, scrape: boolean): Promise<number> {
  const r = await closedLoop(() => t.kms.send(new EncryptCommand({ KeyId: t.keyId, Plaintext: payload })), connections, 1);
  if (r.errors > 0) throw new Error(`${r.errors} Encrypt requests failed`);
  if (scrape && !(await fetch(`${t.endpoint}/metrics`)).ok) throw new Error('the metrics scrape failed');
  return r.requests;
}

// Short slices alternate between the servers so that both see the same background load.
const on = await target(true);
const off = await target(false);
const slices = Number(values.rounds) * Math.max(1, Number(values.seconds));
let withMetrics = 0;
let without = 0;
try {
  for (let r = 0; r < slices; r++) {
    if (r % 2 === 0) {
      withMetrics += await slice(on, true);
      without += await slice(off, false);
    } else {
      without += await slice(off, false);
      withMetrics += await slice(on, true);
    }
  }
} finally {
  for (const t of [on, off]) {
    t.kms.destroy();
    t.child.kill('SIGTERM');
    await new Promise((ok) => t.child.once('exit', ok));
  }
}
process.stdout.write(
  JSON.stringify({ operation: 'Encrypt', payloadBytes: payload.length, connections, secondsEach: slices, observedRps: Math.round(withMetrics / slices), bareRps: Math.round(without / slices), ratio: Number((withMetrics / without).toFixed(3)) }) + '\n',
);
