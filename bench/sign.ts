/**
 * Sign throughput through the AWS protocol (real AWS SDK → SigV4 → Arca → audit → response) against raw
 * node:crypto signing in this same process and run, for ECC_NIST_P256 (ECDSA_SHA_256) and
 * ECC_NIST_EDWARDS25519 (ED25519_SHA_512). Prints one JSON line per spec with the ratio.
 *
 *   npm run bench:sign -- --connections 16 --seconds 5
 *
 * It starts its own `arca dev` (a separate process) on a temp data dir.
 */
import { CreateKeyCommand, KMSClient, SignCommand, type KeySpec, type SigningAlgorithmSpec } from '@aws-sdk/client-kms';
import { Agent as HttpAgent } from 'node:http';
import { parseArgs } from 'node:util';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { removeDir, startDevServer } from '../test/helpers/server.js';
import { closedLoop } from './lib/closed-loop.js';
import { rawSignsPerSecond } from './lib/raw-sign.js';

const { values } = parseArgs({ options: { connections: { type: 'string', default: '16' }, seconds: { type: 'string', default: '5' } } });
const connections = Number(values.connections);
const seconds = Number(values.seconds);
const message = Buffer.alloc(256, 7);

const server = await startDevServer();
const kms = new KMSClient({
  endpoint: server.endpoint,
  region: server.credentials.region,
  credentials: server.credentials,
  maxAttempts: 1,
  requestHandler: new NodeHttpHandler({ httpAgent: new HttpAgent({ keepAlive: true, maxSockets: connections }) }),
});

async function throughArca(spec: KeySpec, algorithm: SigningAlgorithmSpec): Promise<number> {
  const keyId = (await kms.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata?.KeyId;
  const call = () => kms.send(new SignCommand({ KeyId: keyId, Message: message, SigningAlgorithm: algorithm }));
  for (let i = 0; i < 200; i++) await call();
  const r = await closedLoop(call, connections, seconds);
  if (r.errors > 0) throw new Error(`${r.errors} Sign requests failed`);
  return r.requests / r.seconds;
}

for (const [spec, algorithm, type] of [
  ['ECC_NIST_P256', 'ECDSA_SHA_256', 'ec'],
  ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512', 'ed25519'],
] as const) {
  const arca = await throughArca(spec, algorithm);
  const raw = rawSignsPerSecond(type, message, seconds);
  process.stdout.write(
    JSON.stringify({ keySpec: spec, signingAlgorithm: algorithm, messageBytes: message.length, connections, seconds, arcaSignsPerSecond: Math.round(arca), rawNodeSignsPerSecond: Math.round(raw), ratio: Number((arca / raw).toFixed(4)) }) + '\n',
  );
}
kms.destroy();
await server.stop();
removeDir(server.dataDir);
