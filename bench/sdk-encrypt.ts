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
import { closedLoop } from './lib/closed-loop.js';

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
const r = await closedLoop(() => kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: payload })), connections, seconds);
const result = {
  operation: 'Encrypt',
  payloadBytes: payload.length,
  connections,
  seconds: Number(r.seconds.toFixed(1)),
  requests: r.requests,
  requestsPerSecond: Math.round(r.requests / r.seconds),
  p50ms: Number(r.p50ms.toFixed(2)),
  p99ms: Number(r.p99ms.toFixed(2)),
  errors: r.errors,
};
process.stdout.write(JSON.stringify(result) + '\n');
kms.destroy();
if (own) {
  await own.stop();
  removeDir(own.dataDir);
}
if (r.errors > 0) process.exit(1);
