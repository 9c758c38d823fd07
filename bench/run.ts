/**
 * `npm run bench`: Arca against baselines measured in the same run (issue 8, DESIGN.md §8).
 *
 *   npm run bench              # full run, about 8 minutes
 *   npm run bench -- --quick   # under 2 minutes: fewer connection counts, shorter runs and slices
 *   npm run bench -- --quick --alternating-only   # only the alternating runs that give issue 25's ratios
 *   npm run bench -- --against HEAD~1   # also drives that commit's Arca (built in a git worktree) in the
 *                                       # alternating runs: the ratios before and after a change, in one run
 *   npm run bench -- --cluster [--quick]   # instead: nodes on PostgreSQL beside SQLite (bench/cluster.ts)
 *
 * Servers run as child processes; this process is the load generator (autocannon). Every request is
 * SigV4-signed once and replayed. Any non-2xx answer or socket error aborts the run: a benchmark of
 * errors is not a benchmark. Prints one table and writes bench/results/<time>.json.
 */
import autocannon from 'autocannon';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, removeDir } from '../test/helpers/server.js';
import { startChild } from './lib/processes.js';
import { presign, type PresignedRequest } from './lib/signing.js';
import { createKey, mixedCalls, signAll } from './lib/workloads.js';
import { formatTable, ratio, type Row } from './lib/report.js';
import { HEADLINE, headlineRequests, idealCreds, mlDsa, PAYLOAD, SIGN_MESSAGE, SIGN_SPECS, startArca, startIdeal } from './lib/servers.js';
import { findMoto } from './lib/moto.js';
import { fetchLoad } from './lib/fetch-load.js';
import { sequentialLatency } from './lib/sequential.js';
import { rawSignsPerSecond } from './lib/raw-sign.js';
import { buildCommit } from './lib/build-commit.js';
import { alternate, alternateSequential, type Contender } from './lib/alternate.js';

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, seconds: { type: 'string' }, against: { type: 'string' }, cluster: { type: 'boolean', default: false }, 'alternating-only': { type: 'boolean', default: false } },
});
if (values.cluster) {
  const { runClusterBench } = await import('./cluster.js');
  await runClusterBench({ quick: values.quick, seconds: values.seconds });
  // Nothing below is for --cluster; exiting also runs the PostgreSQL helper's clean-up hook.
  process.exit(0);
}
const quick = values.quick;
const seconds = Number(values.seconds ?? (quick ? 2 : 6));
// Quick: 64 connections only (one connection is measured precisely by the sequential client either way).
const connectionCounts = quick ? [64] : [1, 16, 64];
/** Connections of the same-client (fetch) comparison between Arca and moto_server. */
const PEER_CONNECTIONS = 16;
/** The server name of the --against commit's Arca in the table. */
const PREVIOUS = `arca@${values.against ?? ''}`;

/** One progress line on stderr for a measured row. */
function progress(row: Row): Row {
  process.stderr.write(`  ${row.server.padEnd(14)} ${row.operation.padEnd(16)} c=${String(row.connections).padEnd(3)} ${String(row.rps).padStart(6)} req/s  p50 ${row.p50ms} ms  p99 ${row.p99ms} ms\n`);
  return row;
}

async function load(name: string, server: string, endpoint: string, requests: PresignedRequest[], connections: number, operation: string, payload: string): Promise<Row> {
  const result = await autocannon({ url: endpoint, connections, duration: seconds, requests, pipelining: 1, timeout: 10 });
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0) throw new Error(`${name}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts — aborting (a benchmark of errors is not a benchmark)`);
  const row: Row = {
    server,
    operation,
    payload,
    connections,
    rps: Math.round(result.requests.total / result.duration),
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
    requests: result.requests.total,
    errors: bad,
  };
  return progress(row);
}

/** Load before the first measured run of a server, so that no row measures a cold JIT; not recorded. */
async function warmUp(endpoint: string, requests: PresignedRequest[]): Promise<void> {
  await autocannon({ url: endpoint, connections: 16, duration: quick ? 1 : 2, requests, pipelining: 1, timeout: 10 });
}

/** One connection, one request at a time, timed to the microsecond (lib/sequential.ts). */
async function loadSequential(server: string, endpoint: string, request: PresignedRequest): Promise<Row> {
  const r = await sequentialLatency(endpoint, request, quick ? 2 : 3);
  const row: Row = { server, operation: 'Encrypt (node:http)', payload: '4 KiB', connections: 1, rps: Math.round(r.requests / r.seconds), p50ms: r.p50ms, p99ms: r.p99ms, requests: r.requests, errors: 0 };
  return progress(row);
}

/** The same-client comparison with the peer: a keep-alive fetch loop (see lib/fetch-load.ts). */
async function loadWithFetch(server: string, endpoint: string, request: PresignedRequest, connections: number): Promise<Row> {
  const r = await fetchLoad(endpoint, request, connections, seconds);
  if (r.errors > 0) throw new Error(`${server}: ${r.errors} failed requests — aborting`);
  const row: Row = { server, operation: 'Encrypt (fetch)', payload: '4 KiB', connections, rps: Math.round(r.requests / r.seconds), p50ms: r.p50ms, p99ms: r.p99ms, requests: r.requests, errors: 0 };
  return progress(row);
}

const rows: Row[] = [];
const started = Date.now();
const alternatingOnly = values['alternating-only'];
const rounds = quick ? 3 : 6;
const slice = quick ? 1 : 1.5;

process.stderr.write(`bench: ${cpus().length} cores, ${seconds} s per run${quick ? ' (quick)' : ''}${alternatingOnly ? ', alternating runs only' : ''}\n`);
if (!alternatingOnly) {
  // --- Arca, one process (the table's rows; skipped with --alternating-only) ----------------------
  const arca = await startArca(1);
  try {
    const requests = await headlineRequests(arca.target, true);
    const encrypt = requests.get('Encrypt') as PresignedRequest[];
    await warmUp(arca.target.endpoint, encrypt);
    for (const c of connectionCounts) rows.push(await load('arca encrypt', 'arca', arca.target.endpoint, encrypt, c, 'Encrypt', '4 KiB'));
    rows.push(await loadSequential('arca', arca.target.endpoint, encrypt[0] as PresignedRequest));
    for (const c of connectionCounts) rows.push(await load('arca decrypt', 'arca', arca.target.endpoint, requests.get('Decrypt') as PresignedRequest[], c, 'Decrypt', '4 KiB'));
    for (const c of connectionCounts) rows.push(await load('arca gdk', 'arca', arca.target.endpoint, requests.get('GenerateDataKey') as PresignedRequest[], c, 'GenerateDataKey', 'AES_256'));
    rows.push(await loadWithFetch('arca', arca.target.endpoint, encrypt[0] as PresignedRequest, PEER_CONNECTIONS));
    for (const spec of SIGN_SPECS) {
      for (const c of connectionCounts) rows.push(await load(`arca ${spec.operation}`, 'arca', arca.target.endpoint, requests.get(spec.operation) as PresignedRequest[], c, spec.operation, '256 B'));
    }

    // Mixed: 60% Decrypt, 30% GenerateDataKey, 10% Encrypt over many keys (exercises the caches).
    const keyCount = quick ? 100 : 1000;
    const mixed = await signAll(arca.target, await mixedCalls(arca.target, keyCount, PAYLOAD));
    rows.push(await load('arca mixed', 'arca', arca.target.endpoint, mixed, 64, `Mixed/${keyCount} keys`, '4 KiB'));
  } finally {
    await arca.child.stop();
    removeDir(arca.dir);
  }

  // --- Baselines -----------------------------------------------------------------------------------
  for (const spec of SIGN_SPECS) {
    const rps = Math.round(rawSignsPerSecond(spec.raw, SIGN_MESSAGE, quick ? 1.5 : 3));
    rows.push({ server: 'node:crypto', operation: spec.operation, payload: '256 B', connections: 1, rps, p50ms: 0, p99ms: 0, requests: 0, errors: 0 });
    process.stderr.write(`  ${'node:crypto'.padEnd(14)} ${spec.operation.padEnd(16)} (one thread) ${String(rps).padStart(6)} signs/s\n`);
  }
  const ideal = await startIdeal();
  try {
    const t = ideal.target;
    await warmUp(t.endpoint, ideal.encrypt);
    for (const c of connectionCounts) rows.push(await load('ideal encrypt', 'ideal-kms', t.endpoint, ideal.encrypt, c, 'Encrypt', '4 KiB'));
    rows.push(await loadSequential('ideal-kms', t.endpoint, ideal.encrypt[0] as PresignedRequest));
    // The ideal signing baseline (issue 25): the same work with a signature instead of AES-GCM.
    const requests = await headlineRequests(t, false);
    for (const spec of SIGN_SPECS) {
      const request = requests.get(spec.operation) as PresignedRequest[];
      await warmUp(t.endpoint, request);
      for (const c of connectionCounts) rows.push(await load(`ideal ${spec.operation}`, 'ideal-kms', t.endpoint, request, c, spec.operation, '256 B'));
    }
  } finally {
    await ideal.stop();
  }
}

// --- The ratios: Arca (and, with --against, an earlier commit's Arca) and the ideal KMS, in alternation
const previous = values.against === undefined ? undefined : buildCommit(values.against);
{
  const a = await startArca(1);
  const p = previous === undefined ? undefined : await startArca(1, previous.bin);
  const i = await startIdeal();
  try {
    const servers = [
      { server: 'arca', target: a.target, requests: await headlineRequests(a.target, true) },
      ...(p === undefined ? [] : [{ server: PREVIOUS, target: p.target, requests: await headlineRequests(p.target, true) }]),
      { server: 'ideal-kms', target: i.target, requests: await headlineRequests(i.target, false) },
    ];
    for (const s of servers) await warmUp(s.target.endpoint, s.requests.get('Encrypt') as PresignedRequest[]);
    const contenders = (operation: string): Contender[] => servers.map((s) => ({ server: s.server, endpoint: s.target.endpoint, requests: s.requests.get(operation) as PresignedRequest[] }));
    for (const [operation, payload] of HEADLINE) rows.push(...(await alternate(contenders(operation), operation, payload, rounds, slice)).map(progress));
    rows.push(...(await alternateSequential(contenders('Encrypt'), 'Encrypt', '4 KiB', rounds, slice)).map(progress));
  } finally {
    for (const s of [a, p]) {
      if (s === undefined) continue;
      await s.child.stop();
      removeDir(s.dir);
    }
    await i.stop();
    previous?.remove();
  }
}

// --- Worker scaling: Arca and the ideal KMS, one process and two, in alternation ---------------------
const workers = Math.min(2, cpus().length);
{
  const one = await startArca(1);
  const many = await startArca(workers);
  const idealOne = await startIdeal();
  const idealMany = await startIdeal(workers);
  try {
    const contenders: Contender[] = [];
    for (const [server, s] of [['arca', one], [`arca x${workers}`, many]] as const) {
      contenders.push({ server, endpoint: s.target.endpoint, requests: [await presign(s.target, 'TrentService.Encrypt', { KeyId: await createKey(s.target), Plaintext: PAYLOAD })] });
    }
    contenders.push({ server: 'ideal-kms', endpoint: idealOne.target.endpoint, requests: idealOne.encrypt }, { server: `ideal-kms x${workers}`, endpoint: idealMany.target.endpoint, requests: idealMany.encrypt });
    for (const c of contenders) await warmUp(c.endpoint, c.requests);
    rows.push(...(await alternate(contenders, 'Encrypt', '4 KiB', rounds, slice)).map((r) => progress({ ...r, operation: 'Encrypt (workers, alternating)' })));
  } finally {
    for (const s of [one, many]) {
      await s.child.stop();
      removeDir(s.dir);
    }
    await idealOne.stop();
    await idealMany.stop();
  }
}

let motoSkipped: string | undefined;
if (!alternatingOnly) {
  const echo = await startChild(process.execPath, [join(REPO_ROOT, 'dist', 'bench', 'baselines', 'echo.js'), '0'], { pattern: /listening on (http:\/\/\S+)/, name: 'echo' });
  try {
    const t = { ...idealCreds, endpoint: echo.endpoint };
    const body = [await presign(t, 'TrentService.Encrypt', { KeyId: 'echo', Plaintext: PAYLOAD })];
    await warmUp(t.endpoint, body);
    rows.push(await load('echo', 'echo (fastify)', t.endpoint, body, 64, 'Encrypt-shaped', '4 KiB'));
  } finally {
    await echo.stop();
  }

  const moto = findMoto();
  if (moto === undefined) {
    motoSkipped = 'moto_server not found on PATH: the peer ratio is not measured';
    process.stderr.write(`bench: ${motoSkipped}\n`);
  } else {
    const server = await startChild(moto, ['-H', '127.0.0.1', '-p', '0'], { pattern: /Running on (http:\/\/127\.0\.0\.1:\d+)/, name: 'moto_server', timeoutMs: 60_000 });
    try {
      const t = { ...idealCreds, endpoint: server.endpoint };
      const keyId = await createKey(t);
      const encrypt = [await presign(t, 'TrentService.Encrypt', { KeyId: keyId, Plaintext: PAYLOAD })];
      rows.push(await loadWithFetch('moto_server', t.endpoint, encrypt[0] as PresignedRequest, PEER_CONNECTIONS));
    } finally {
      await server.stop();
    }
  }
}

// --- Ratios --------------------------------------------------------------------------------------
const find = (server: string, operation: string, connections: number) => rows.find((r) => r.server === server && r.operation === operation && r.connections === connections);
const alt = (server: string, operation: string) => find(server, `${operation} (alternating)`, 64);
const overIdeal = (server: string, operation: string) => ratio(alt(server, operation)?.rps, alt('ideal-kms', operation)?.rps);
const seqArca = find('arca', 'Encrypt (node:http, alternating)', 1);
const seqIdeal = find('ideal-kms', 'Encrypt (node:http, alternating)', 1);
const scaling = (server: string) => ratio(find(`${server} x${workers}`, 'Encrypt (workers, alternating)', 64)?.rps, find(server, 'Encrypt (workers, alternating)', 64)?.rps);
const ratios = {
  encryptOverIdeal64: overIdeal('arca', 'Encrypt'),
  ...(previous === undefined ? {} : { previousEncryptOverIdeal64: overIdeal(PREVIOUS, 'Encrypt') }),
  decryptOverIdeal64: overIdeal('arca', 'Decrypt'),
  ...(previous === undefined ? {} : { previousDecryptOverIdeal64: overIdeal(PREVIOUS, 'Decrypt') }),
  generateDataKeyOverIdeal64: overIdeal('arca', 'GenerateDataKey'),
  ...(previous === undefined ? {} : { previousGenerateDataKeyOverIdeal64: overIdeal(PREVIOUS, 'GenerateDataKey') }),
  p99At64OverIdeal: ratio(alt('arca', 'Encrypt')?.p99ms, alt('ideal-kms', 'Encrypt')?.p99ms),
  p50At1OverIdeal: ratio(seqArca?.p50ms, seqIdeal?.p50ms),
  workers2OverOne: scaling('arca'),
  idealWorkers2OverOne: scaling('ideal-kms'),
  signP256OverIdeal: overIdeal('arca', 'Sign P-256'),
  signEd25519OverIdeal: overIdeal('arca', 'Sign Ed25519'),
  ...(mlDsa ? { signMlDsa65OverIdeal: overIdeal('arca', 'Sign ML-DSA-65') } : {}),
  ...(previous === undefined ? {} : { previousSignP256OverIdeal: overIdeal(PREVIOUS, 'Sign P-256') }),
  arcaP99At64ms: alt('arca', 'Encrypt')?.p99ms,
  arcaP50At1ms: seqArca?.p50ms,
  ...(alternatingOnly
    ? {}
    : {
        arcaOverPeer: ratio(find('arca', 'Encrypt (fetch)', PEER_CONNECTIONS)?.rps, find('moto_server', 'Encrypt (fetch)', PEER_CONNECTIONS)?.rps),
        signP256OverRawNode: ratio(find('arca', 'Sign P-256', 64)?.rps, find('node:crypto', 'Sign P-256', 1)?.rps),
        signEd25519OverRawNode: ratio(find('arca', 'Sign Ed25519', 64)?.rps, find('node:crypto', 'Sign Ed25519', 1)?.rps),
      }),
};
const targets: Record<string, string> = {
  encryptOverIdeal64: '≥ 0.8 (issue 25)',
  decryptOverIdeal64: '≥ 0.8',
  generateDataKeyOverIdeal64: '≥ 0.8',
  p99At64OverIdeal: '≤ 1.5 (Encrypt, 64 connections)',
  p50At1OverIdeal: '≤ 1.3 (Encrypt, one connection)',
  workers2OverOne: '≥ 1.5',
  idealWorkers2OverOne: 'what this machine gives the ideal KMS',
  signP256OverIdeal: '≥ 0.8 (ideal signing baseline)',
  signEd25519OverIdeal: '≥ 0.8',
  signMlDsa65OverIdeal: '≥ 0.8',
  arcaP99At64ms: '< 10 (DESIGN §8)',
  arcaP50At1ms: '< 1 (DESIGN §8)',
  arcaOverPeer: '≥ 25 (DESIGN §8)',
  signP256OverRawNode: '≥ 0.7 (DESIGN §8)',
  signEd25519OverRawNode: '≥ 0.7 (DESIGN §8)',
};
for (const k of Object.keys(ratios)) if (k.startsWith('previous')) targets[k] = `${values.against ?? ''}: the same ratio before the change`;

process.stdout.write('\n' + formatTable(rows) + '\n');
process.stdout.write(`${'ratio'.padEnd(35)} ${'value'.padEnd(8)} target\n`);
for (const [k, v] of Object.entries(ratios)) process.stdout.write(`${k.padEnd(35)} ${String(v ?? 'n/a').padEnd(8)} ${targets[k] ?? ''}\n`);
if (motoSkipped) process.stdout.write(`note: ${motoSkipped}\n`);

const resultsDir = join(REPO_ROOT, 'bench', 'results');
mkdirSync(resultsDir, { recursive: true });
const file = join(resultsDir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), quick, seconds, cores: cpus().length, cpu: cpus()[0]?.model, node: process.version, rows, ratios, targets, motoSkipped, totalSeconds: Math.round((Date.now() - started) / 1000) }, null, 2));
process.stdout.write(`\nwrote ${file} (${Math.round((Date.now() - started) / 1000)} s)\n`);
