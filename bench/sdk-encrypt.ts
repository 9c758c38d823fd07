/**
 * Encrypt 4 KiB through the real AWS SDK against a running Arca, from this separate process.
 *
 *   npm start                                  # in one terminal (or any arca dev)
 *   source .arca-dev/credentials.env && npm run bench:sdk -- --connections 16 --seconds 10
 *
 * Without ARCA_ENDPOINT in the environment it starts its own `arca dev` on a temp data dir.
 */
import { CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { Agent } from 'node:https';
import { Agent as HttpAgent } from 'node:http';
import { parseArgs } from 'node:util';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { removeDir, startDevServer, type DevServer } from '../test/helpers/server.js';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '10' },
    payload: { type: 'string', default: '4096' },
  },
});
const connections = Number(values.connections);
const seconds = Number(values.seconds);
const payload = Buffer.alloc(Number(values.payload), 7);

let own: DevServer | undefined;
let endpoint = process.env['ARCA_ENDPOINT'];
let credentials = { accessKeyId: process.env['AWS_ACCESS_KEY_ID'] ?? '', secretAccessKey: process.env['AWS_SECRET_ACCESS_KEY'] ?? '' };
let region = process.env['AWS_REGION'] ?? 'us-east-1';
if (endpoint === undefined) {
  own = await startDevServer();
  endpoint = own.endpoint;
  credentials = own.credentials;
  region = own.credentials.region;
}

const kms = new KMSClient({
  endpoint,
  region,
  credentials,
  maxAttempts: 1,
  requestHandler: new NodeHttpHandler({ httpAgent: new HttpAgent({ keepAlive: true, maxSockets: connections }), httpsAgent: new Agent({ keepAlive: true }) }),
});
const keyId = (await kms.send(new CreateKeyCommand({ Description: 'bench' }))).KeyMetadata?.KeyId;

// Warm up, then measure.
for (let i = 0; i < 200; i++) await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: payload }));
const latencies: number[] = [];
let errors = 0;
const deadline = performance.now() + seconds * 1000;
const started = performance.now();
await Promise.all(
  Array.from({ length: connections }, async () => {
    while (performance.now() < deadline) {
      const t = performance.now();
      try {
        await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: payload }));
        latencies.push(performance.now() - t);
      } catch {
        errors++;
      }
    }
  }),
);
const elapsed = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
const result = {
  operation: 'Encrypt',
  payloadBytes: payload.length,
  connections,
  seconds: Number(elapsed.toFixed(1)),
  requests: latencies.length,
  requestsPerSecond: Math.round(latencies.length / elapsed),
  p50ms: Number(pct(50).toFixed(2)),
  p99ms: Number(pct(99).toFixed(2)),
  errors,
};
process.stdout.write(JSON.stringify(result) + '\n');
kms.destroy();
if (own) {
  await own.stop();
  removeDir(own.dataDir);
}
if (errors > 0) process.exit(1);
