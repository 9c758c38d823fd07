/**
 * PKCS#11 root overhead: Encrypt 4 KiB throughput through the AWS SDK with the PKCS#11 root (SoftHSM2)
 * vs the Shamir root, same command, same run, alternating rounds; plus the cost of the one thing the
 * root does per call (unwrap a domain key), measured directly on each root.
 *
 *   npm run bench:root -- --connections 16 --seconds 5 --rounds 2
 *
 * Both servers run in this process (createServerApp), on loopback without TLS. Needs softhsm2.
 */
import { CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { Agent as HttpAgent } from 'node:http';
import { parseArgs } from 'node:util';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { encodeFields } from '../src/crypto/encoding.js';
import { randomSecret } from '../src/crypto/random.js';
import { callOperation } from '../src/cli/client.js';
import { removeDir, tempDataDir } from '../test/helpers/server.js';
import { initialize, startSealedServer, unsealWith, type SealedServer } from '../test/helpers/sealed-server.js';
import { createSoftHsmToken, softHsmMissing } from '../test/helpers/softhsm.js';
import { closedLoop } from './lib/closed-loop.js';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '2' },
    payload: { type: 'string', default: '4096' },
  },
});
const connections = Number(values.connections);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const payload = Buffer.alloc(Number(values.payload), 7);

const missing = softHsmMissing();
if (missing !== undefined) {
  process.stderr.write(`bench:root needs SoftHSM2: ${missing}\n`);
  process.exit(2);
}
const token = createSoftHsmToken('arca-bench');
const dirs = [tempDataDir(), tempDataDir()];

async function shamirServer(): Promise<{ server: SealedServer; creds: { accessKeyId: string; secretAccessKey: string } }> {
  const server = await startSealedServer(dirs[0] as string);
  const { shares, admin } = await initialize(server, 5, 3);
  await unsealWith(server, shares.slice(0, 3));
  return { server, creds: admin.credentials! };
}

async function pkcs11Server(): Promise<{ server: SealedServer; creds: { accessKeyId: string; secretAccessKey: string } }> {
  const server = await startSealedServer(dirs[1] as string, { type: 'pkcs11', module: token.module, tokenLabel: token.label, pinEnv: 'BENCH_PIN', keyLabel: 'bench-root' }, { BENCH_PIN: token.pin });
  const out = await callOperation(server.anonymous, 'ArcaService.InitializeRoot', {});
  return { server, creds: { accessKeyId: String(out['AdminAccessKeyId']), secretAccessKey: String(out['AdminSecretAccessKey']) } };
}

async function encryptLoad(server: SealedServer, creds: { accessKeyId: string; secretAccessKey: string }): Promise<{ rps: number; p99: number; errors: number }> {
  const kms = new KMSClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: creds,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent: new HttpAgent({ keepAlive: true, maxSockets: connections }) }),
  });
  const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId;
  for (let i = 0; i < 100; i++) await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: payload }));
  const r = await closedLoop(() => kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: payload })), connections, seconds);
  kms.destroy();
  return { rps: r.requests / r.seconds, p99: r.p99ms, errors: r.errors };
}

/** Domain-key unwraps per second on the root itself: the only per-call work a root does. */
async function unwrapRate(server: SealedServer): Promise<number> {
  const binding = encodeFields(['bench', 1]);
  const wrapped = await server.app.root.wrap(randomSecret(32), binding);
  const n = 2000;
  const t = performance.now();
  for (let i = 0; i < n; i++) (await server.app.root.unwrap(wrapped, binding)).dispose();
  return n / ((performance.now() - t) / 1000);
}

const shamir = await shamirServer();
const hsm = await pkcs11Server();
const totals = { shamir: [] as number[], pkcs11: [] as number[] };
for (let r = 0; r < rounds; r++) {
  // Alternate which root goes first, so that drift in machine load does not favour one of them.
  let s, p;
  if (r % 2 === 0) {
    s = await encryptLoad(shamir.server, shamir.creds);
    p = await encryptLoad(hsm.server, hsm.creds);
  } else {
    p = await encryptLoad(hsm.server, hsm.creds);
    s = await encryptLoad(shamir.server, shamir.creds);
  }
  totals.shamir.push(s.rps);
  totals.pkcs11.push(p.rps);
  process.stdout.write(JSON.stringify({ round: r + 1, shamirRps: Math.round(s.rps), shamirP99ms: Number(s.p99.toFixed(2)), pkcs11Rps: Math.round(p.rps), pkcs11P99ms: Number(p.p99.toFixed(2)), errors: s.errors + p.errors }) + '\n');
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const shamirUnwrap = await unwrapRate(shamir.server);
const hsmUnwrap = await unwrapRate(hsm.server);
process.stdout.write(
  JSON.stringify({
    operation: 'Encrypt',
    payloadBytes: payload.length,
    connections,
    secondsPerRound: seconds,
    rounds,
    shamirRps: Math.round(mean(totals.shamir)),
    pkcs11Rps: Math.round(mean(totals.pkcs11)),
    pkcs11OverShamir: Number((mean(totals.pkcs11) / mean(totals.shamir)).toFixed(3)),
    domainKeyUnwrapsPerSecond: { shamir: Math.round(shamirUnwrap), pkcs11: Math.round(hsmUnwrap), ratio: Number((hsmUnwrap / shamirUnwrap).toFixed(3)) },
  }) + '\n',
);
await shamir.server.close();
await hsm.server.close();
for (const d of [...dirs, token.dir]) removeDir(d);
