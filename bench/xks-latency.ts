/**
 * XKS proxy latency (issue 21): signed XKS Encrypt calls (SigV4, service `kms-xks-proxy`, 4 KiB
 * plaintext, 32 bytes of AAD and the SHA_256 CDIV, as AWS KMS sends them) against an AWS-protocol
 * TrentService.Encrypt of the same 4 KiB on the same server, in the same run, at 1 and 16 connections.
 * AWS KMS gives an external key store proxy 250 ms per call; the table shows each p99 as a fraction of it.
 *
 *   npm run bench:xks [-- --seconds 5] [--connections 16]
 *
 * The server (bench/xks-server.ts: the dev composition with `xksProxy:`, durable audit trail) runs as a
 * child process; this process is the load generator. Requests are SigV4-signed once and replayed (valid
 * for five minutes). One connection: node:http, one request at a time, timed to the microsecond
 * (lib/sequential.ts); more: autocannon (whole milliseconds). Any non-2xx answer aborts the run. Prints one
 * table and writes bench/results/<time>-xks.json.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { REPO_ROOT } from '../test/helpers/server.js';
import { sequentialLatency } from './lib/sequential.js';
import { presign, type PresignedRequest } from './lib/signing.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, connections: { type: 'string', default: '16' } } });
const seconds = Number(values.seconds);
const CONNECTIONS = [1, Number(values.connections)];
/** AWS KMS's time limit for a call to an external key store proxy (the XKS spec: 250 ms). */
const BUDGET_MS = 250;
const PLAINTEXT = randomBytes(4096).toString('base64');

interface Started {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly keyId: string;
  readonly xks: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly path: string };
}

/** An XKS Encrypt as AWS KMS sends it, signed once for `path` with the XKS credential (service kms-xks-proxy). */
async function presignXks(s: Started): Promise<PresignedRequest> {
  const url = new URL(s.xks.path, s.endpoint);
  const requestMetadata = { awsPrincipalArn: 'arn:aws:iam::123456789012:user/bench', kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/bench', kmsOperation: 'Encrypt', kmsRequestId: randomUUID() };
  const body = JSON.stringify({ requestMetadata, plaintext: PLAINTEXT, additionalAuthenticatedData: randomBytes(32).toString('base64'), encryptionAlgorithm: 'AES_GCM', ciphertextDataIntegrityValueAlgorithm: 'SHA_256' });
  const signer = new SignatureV4({ service: 'kms-xks-proxy', region: s.region, credentials: { accessKeyId: s.xks.accessKeyId, secretAccessKey: s.xks.secretAccessKey }, sha256: Sha256 });
  const signed = await signer.sign(new HttpRequest({ method: 'POST', protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: url.pathname, headers: { host: url.host, 'content-type': 'application/json' }, body }));
  return { method: 'POST', path: url.pathname, headers: signed.headers, body };
}

/** Sends `req` once; throws unless it answers 2xx with the field `expect`. */
async function check(endpoint: string, req: PresignedRequest, expect: string): Promise<void> {
  const { host: _host, ...headers } = req.headers;
  const res = await fetch(new URL(req.path, endpoint), { method: 'POST', headers, body: req.body });
  const text = await res.text();
  if (!res.ok || !(expect in (JSON.parse(text) as Record<string, unknown>))) throw new Error(`HTTP ${res.status}: ${text.slice(0, 300)}`);
}

interface Row {
  readonly protocol: string;
  readonly connections: number;
  readonly rps: number;
  readonly p50ms: number;
  readonly p99ms: number;
  readonly requests: number;
  /** p99 over AWS KMS's 250 ms budget for an XKS call. */
  readonly p99OverBudget: number;
}

async function measure(protocol: string, endpoint: string, req: PresignedRequest, connections: number): Promise<Row> {
  let r: { rps: number; p50ms: number; p99ms: number; requests: number };
  if (connections === 1) {
    const s = await sequentialLatency(endpoint, req, seconds);
    r = { rps: Math.round(s.requests / s.seconds), p50ms: s.p50ms, p99ms: s.p99ms, requests: s.requests };
  } else {
    const a = await autocannon({ url: endpoint, connections, duration: seconds, requests: [req], pipelining: 1, timeout: 10 });
    const bad = a.non2xx + a.errors + a.timeouts;
    if (bad > 0) throw new Error(`${protocol}: ${a.non2xx} non-2xx answers, ${a.errors} errors, ${a.timeouts} timeouts — aborting (a benchmark of errors is not a benchmark)`);
    r = { rps: Math.round(a.requests.total / a.duration), p50ms: a.latency.p50, p99ms: a.latency.p99, requests: a.requests.total };
  }
  const row = { protocol, connections, ...r, p99OverBudget: Math.round((r.p99ms / BUDGET_MS) * 10000) / 10000 };
  process.stderr.write(`  ${protocol.padEnd(28)} c=${String(connections).padEnd(3)} ${String(row.rps).padStart(6)} req/s  p50 ${row.p50ms} ms  p99 ${row.p99ms} ms\n`);
  return row;
}

function formatTable(rows: readonly Row[]): string {
  const header = ['protocol', 'conns', 'req/s', 'p50 ms', 'p99 ms', `p99 / ${BUDGET_MS} ms`];
  const cells = rows.map((r) => [r.protocol, String(r.connections), String(r.rps), String(r.p50ms), String(r.p99ms), r.p99OverBudget.toFixed(4)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) => c.map((x, i) => (i >= 1 ? x.padStart(widths[i] ?? 0) : x.padEnd(widths[i] ?? 0))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n') + '\n';
}

const started = Date.now();
process.stderr.write(`bench:xks: ${cpus().length} cores, ${seconds} s per run\n`);
const child = spawn(process.execPath, [new URL('./xks-server.js', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
const exited = new Promise((ok) => child.once('exit', ok));
const rows: Row[] = [];
try {
  const line = await new Promise<string>((ok, fail) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', ok);
    void exited.then(() => fail(new Error('bench/xks-server exited before it was ready')));
  });
  const s = JSON.parse(line) as Started;
  const xks = await presignXks(s);
  const aws = await presign(s, 'TrentService.Encrypt', { KeyId: s.keyId, Plaintext: PLAINTEXT });
  await check(s.endpoint, xks, 'ciphertextDataIntegrityValue');
  await check(s.endpoint, aws, 'CiphertextBlob');
  // Warm both paths (a cold JIT is not what AWS KMS sees); not recorded.
  for (const req of [xks, aws]) await autocannon({ url: s.endpoint, connections: 16, duration: 2, requests: [req], pipelining: 1, timeout: 10 });
  for (const connections of CONNECTIONS) {
    rows.push(await measure('XKS Encrypt (kms-xks-proxy)', s.endpoint, xks, connections));
    rows.push(await measure('AWS Encrypt (TrentService)', s.endpoint, aws, connections));
  }
} finally {
  child.kill('SIGTERM');
  await exited;
}

const find = (protocol: string, connections: number) => rows.find((r) => r.protocol.startsWith(protocol) && r.connections === connections);
const ratios = Object.fromEntries(CONNECTIONS.map((c) => [`xksP99OverAwsP99At${c}`, Math.round(((find('XKS', c)?.p99ms ?? NaN) / (find('AWS', c)?.p99ms ?? NaN)) * 100) / 100]));
process.stdout.write('\n' + formatTable(rows) + '\n');
for (const [k, v] of Object.entries(ratios)) process.stdout.write(`${k.padEnd(24)} ${v}\n`);
const resultsDir = join(REPO_ROOT, 'bench', 'results');
mkdirSync(resultsDir, { recursive: true });
const file = join(resultsDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-xks.json`);
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), seconds, cores: cpus().length, cpu: cpus()[0]?.model, node: process.version, plaintextBytes: 4096, budgetMs: BUDGET_MS, rows, ratios, totalSeconds: Math.round((Date.now() - started) / 1000) }, null, 2));
process.stdout.write(`\nwrote ${file} (${Math.round((Date.now() - started) / 1000)} s)\n`);
