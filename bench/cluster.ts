/**
 * `npm run bench -- --cluster` (issue 14): Arca nodes on PostgreSQL beside the SQLite single node.
 *
 *   npm run bench -- --cluster            # full run, about 4 minutes
 *   npm run bench -- --cluster --quick    # about a minute: shorter and fewer slices, 100 keys
 *   npm run bench -- --cluster --seconds 5   # longer slices
 *
 * Starts a throwaway PostgreSQL (test/helpers/postgres.ts: fsync=on, synchronous_commit=on), a SQLite
 * `arca dev` node and two `arca dev` nodes on one PostgreSQL database (the second with the first's dev
 * root, so both unwrap the same keys), and drives three configurations in alternation — rounds of short
 * slices, one configuration at a time, the order rotated each round — so that the drift of a shared
 * machine's load hits all alike:
 *
 *   sqlite x1     the SQLite node, 64 connections
 *   postgres x1   the first PostgreSQL node, 64 connections (the second stays up, idle)
 *   postgres x2   both PostgreSQL nodes, two autocannon instances of 32 connections at once, summed
 *
 * for two workloads: Encrypt 4 KiB and the mixed workload of `npm run bench`. During each slice it
 * samples the CPU of the nodes under load, of the whole PostgreSQL cluster (postmaster and children),
 * of this process (the load generator) and of the machine, and PostgreSQL's WAL position and next
 * transaction id. It prints req/s, p50 and p99, the ratios (2 nodes / 1 node, PostgreSQL / SQLite), CPU
 * seconds per 1,000 requests of each process, and a projection of N nodes on a larger PostgreSQL from
 * the per-request costs (docs/performance.md, "Cluster on PostgreSQL"). Writes
 * bench/results/<time>-cluster.json.
 */
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startPostgres, type PostgresCluster } from '../test/helpers/postgres.js';
import { ARCA_BIN, REPO_ROOT, readCredentials, removeDir, tempDataDir } from '../test/helpers/server.js';
import { machineBusySeconds, ownCpuSeconds, processCpuSeconds, treeCpuSeconds } from './lib/proc-cpu.js';
import { startChild, type Child } from './lib/processes.js';
import { formatTable, type Row } from './lib/report.js';
import type { Target } from './lib/signing.js';
import { createKey, mixedCalls, signAll, type Call } from './lib/workloads.js';
import { clusterRatios, formatCosts, formatProjection, projection, type Costs } from './lib/cluster-report.js';

/** The command line of `npm run bench -- --cluster` (parsed by bench/run.ts). */
export interface ClusterBenchOptions {
  /** About a minute instead of about four: 3 rounds instead of 10, 100 keys instead of 1,000. */
  readonly quick: boolean;
  /** Seconds per slice (default 1.5 quick, 3 full). */
  readonly seconds?: string | undefined;
}

interface ArcaNode {
  readonly name: string;
  readonly child: Child;
  readonly dir: string;
  readonly target: Target;
}

type WorkloadName = 'encrypt' | 'mixed';

interface Configuration {
  readonly label: string;
  readonly engine: 'sqlite' | 'postgres';
  readonly nodes: readonly ArcaNode[];
  readonly calls: Readonly<Record<WorkloadName, readonly Call[]>>;
}

/** What a slice adds to its configuration's totals. */
interface Totals {
  requests: number;
  /** autocannon's measured durations (req/s), and the wall time between the CPU samples (machine load). */
  seconds: number;
  wallSeconds: number;
  p50: number[];
  p99: number[];
  nodeCpu: number;
  pgCpu: number;
  loadCpu: number;
  machineCpu: number;
  walBytes: bigint;
  writeTransactions: bigint;
}

const CONNECTIONS = 64;
const PAYLOAD = randomBytes(4096).toString('base64');

async function startNode(name: string, dir: string, args: readonly string[]): Promise<ArcaNode> {
  const child = await startChild(process.execPath, [ARCA_BIN, 'dev', '--data-dir', dir, '--listen', '127.0.0.1:0', '--quiet', ...args], {
    pattern: /listening on (http:\/\/\S+)/,
    name,
  });
  const c = readCredentials(dir);
  return { name, child, dir, target: { endpoint: child.endpoint, region: c.region, accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey } };
}

/** The postmaster's pid: the first line of `<data_directory>/postmaster.pid`. */
async function postmasterPid(monitor: pg.Client): Promise<number> {
  const r = await monitor.query<{ data_directory: string }>('SHOW data_directory');
  const dir = r.rows[0]?.data_directory;
  if (dir === undefined) throw new Error('PostgreSQL did not report its data directory');
  const pid = Number(readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n', 1)[0]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no postmaster pid in ${dir}/postmaster.pid`);
  return pid;
}

/** An LSN (`16/B374D848`) as a byte position. */
function lsnBytes(lsn: string): bigint {
  const [high, low] = lsn.split('/');
  return (BigInt(`0x${high ?? '0'}`) << 32n) + BigInt(`0x${low ?? '0'}`);
}

interface Sample {
  readonly at: number;
  readonly nodeCpu: number;
  readonly pgCpu: number;
  readonly loadCpu: number;
  readonly machineCpu: number;
  readonly wal: bigint;
  /** The next transaction id to be assigned: read-only statements take none, so the difference counts write transactions. */
  readonly xid: bigint;
}

async function sample(nodes: readonly ArcaNode[], postmaster: number, monitor: pg.Client): Promise<Sample> {
  const r = await monitor.query<{ lsn: string; xid: string }>('SELECT pg_current_wal_lsn()::text AS lsn, pg_snapshot_xmax(pg_current_snapshot())::text AS xid');
  const row = r.rows[0];
  return {
    at: performance.now() / 1000,
    nodeCpu: nodes.reduce((sum, n) => sum + (n.child.process.pid === undefined ? 0 : processCpuSeconds(n.child.process.pid)), 0),
    pgCpu: treeCpuSeconds(postmaster),
    loadCpu: ownCpuSeconds(),
    machineCpu: machineBusySeconds(),
    wal: lsnBytes(row?.lsn ?? '0/0'),
    xid: BigInt(row?.xid ?? '0'),
  };
}

/** Loads every node of `config` at once (64 connections split among them) for `seconds`, unrecorded when `totals` is undefined. */
async function slice(config: Configuration, workload: WorkloadName, seconds: number, postmaster: number, monitor: pg.Client, totals?: Totals): Promise<void> {
  const connections = CONNECTIONS / config.nodes.length;
  // Signed afresh for every slice: a full run outlasts a signature's five minutes.
  const signed = await Promise.all(config.nodes.map((n) => signAll(n.target, config.calls[workload])));
  const before = await sample(config.nodes, postmaster, monitor);
  const results = await Promise.all(
    config.nodes.map((n, i) => autocannon({ url: n.target.endpoint, connections, duration: seconds, requests: signed[i] ?? [], pipelining: 1, timeout: 10 })),
  );
  const after = await sample(config.nodes, postmaster, monitor);
  const bad = results.reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0);
  if (bad > 0) throw new Error(`${config.label} ${workload}: ${bad} failed requests — aborting (a benchmark of errors is not a benchmark)`);
  if (totals === undefined) return;
  const requests = results.reduce((sum, r) => sum + r.requests.total, 0);
  totals.requests += requests;
  totals.seconds += Math.max(...results.map((r) => r.duration));
  totals.wallSeconds += after.at - before.at;
  // Two instances have no common histogram: p50 is their request-weighted mean, p99 the worse of the two.
  totals.p50.push(results.reduce((sum, r) => sum + r.latency.p50 * r.requests.total, 0) / Math.max(1, requests));
  totals.p99.push(Math.max(...results.map((r) => r.latency.p99)));
  totals.nodeCpu += after.nodeCpu - before.nodeCpu;
  totals.pgCpu += after.pgCpu - before.pgCpu;
  totals.loadCpu += after.loadCpu - before.loadCpu;
  totals.machineCpu += after.machineCpu - before.machineCpu;
  totals.walBytes += after.wal - before.wal;
  totals.writeTransactions += after.xid - before.xid;
}

function emptyTotals(): Totals {
  return { requests: 0, seconds: 0, wallSeconds: 0, p50: [], p99: [], nodeCpu: 0, pgCpu: 0, loadCpu: 0, machineCpu: 0, walBytes: 0n, writeTransactions: 0n };
}

const median = (xs: readonly number[]): number => Math.round(([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN) * 10) / 10;

/** Runs the cluster benchmark, prints its tables and writes bench/results/<time>-cluster.json. */
export async function runClusterBench(opts: ClusterBenchOptions): Promise<void> {
  const started = Date.now();
  const quick = opts.quick;
  const sliceSeconds = Number(opts.seconds ?? (quick ? 1.5 : 3));
  const rounds = quick ? 3 : 10;
  const keyCount = quick ? 100 : 1000;
  const cores = cpus().length;
  process.stderr.write(`bench --cluster: ${cores} cores, ${rounds} rounds of ${sliceSeconds} s slices per configuration and workload${quick ? ' (quick)' : ''}\n`);

  const nodes: ArcaNode[] = [];
  const dirs: string[] = [];
  const newDir = (): string => {
    const dir = tempDataDir('arca-bench-cluster-');
    dirs.push(dir);
    return dir;
  };
  let postgres: PostgresCluster | undefined;
  let monitor: pg.Client | undefined;
  try {
    postgres = await startPostgres();
    const url = postgres.url(await postgres.createDatabase());
    monitor = new pg.Client({ connectionString: url });
    await monitor.connect();
    const postmaster = await postmasterPid(monitor);

    const sqlite = await startNode('arca (sqlite)', newDir(), []);
    nodes.push(sqlite);
    const first = await startNode('arca (postgres, node a)', newDir(), ['--storage', url, '--node-name', 'bench-a']);
    nodes.push(first);
    // The second node must hold the same dev root as the first, or it cannot unwrap the keys in the database.
    const secondDir = newDir();
    copyFileSync(join(first.dir, 'insecure-dev-root.key'), join(secondDir, 'insecure-dev-root.key'));
    const second = await startNode('arca (postgres, node b)', secondDir, ['--storage', url, '--node-name', 'bench-b']);
    nodes.push(second);
    process.stderr.write(`  PostgreSQL on port ${postgres.port} (postmaster ${postmaster}); nodes up: sqlite ${sqlite.child.process.pid}, a ${first.child.process.pid}, b ${second.child.process.pid}\n`);

    const callsFor = async (t: Target): Promise<Record<WorkloadName, Call[]>> => ({
      encrypt: [{ action: 'TrentService.Encrypt', input: { KeyId: await createKey(t), Plaintext: PAYLOAD } }],
      mixed: await mixedCalls(t, keyCount, PAYLOAD),
    });
    const sqliteCalls = await callsFor(sqlite.target);
    // Keys and ciphertexts live in the database: made through node a, used through both.
    const postgresCalls = await callsFor(first.target);
    process.stderr.write(`  ${keyCount} keys created on each engine (${Math.round((Date.now() - started) / 1000)} s)\n`);

    const configurations: Configuration[] = [
      { label: 'sqlite x1', engine: 'sqlite', nodes: [sqlite], calls: sqliteCalls },
      { label: 'postgres x1', engine: 'postgres', nodes: [first], calls: postgresCalls },
      { label: 'postgres x2', engine: 'postgres', nodes: [first, second], calls: postgresCalls },
    ];
    const workloads: { name: WorkloadName; operation: string; payload: string }[] = [
      { name: 'encrypt', operation: 'Encrypt', payload: '4 KiB' },
      { name: 'mixed', operation: `Mixed/${keyCount} keys`, payload: '4 KiB' },
    ];

    const rows: Row[] = [];
    const costs: Costs[] = [];
    for (const w of workloads) {
      for (const c of configurations) await slice(c, w.name, quick ? 1 : 2, postmaster, monitor);
      const totals = configurations.map(emptyTotals);
      for (let round = 0; round < rounds; round++) {
        for (let k = 0; k < configurations.length; k++) {
          const i = (round + k) % configurations.length;
          await slice(configurations[i] as Configuration, w.name, sliceSeconds, postmaster, monitor, totals[i]);
        }
      }
      for (const [i, c] of configurations.entries()) {
        const t = totals[i] as Totals;
        const row: Row = { server: c.label, operation: w.operation, payload: w.payload, connections: CONNECTIONS, rps: Math.round(t.requests / t.seconds), p50ms: median(t.p50), p99ms: median(t.p99), requests: t.requests, errors: 0 };
        rows.push(row);
        const per1000 = (cpu: number): number => Math.round((cpu / t.requests) * 1000 * 1000) / 1000;
        const ours = t.nodeCpu + (c.engine === 'postgres' ? t.pgCpu : 0) + t.loadCpu;
        costs.push({
          configuration: c.label,
          operation: w.operation,
          nodes: c.nodes.length,
          nodeCpuPer1000: per1000(t.nodeCpu),
          pgCpuPer1000: per1000(t.pgCpu),
          loadCpuPer1000: per1000(t.loadCpu),
          machineBusy: Math.round((t.machineCpu / (t.wallSeconds * cores)) * 100) / 100,
          otherCpuShare: Math.round((Math.max(0, t.machineCpu - ours) / (t.wallSeconds * cores)) * 100) / 100,
          // On SQLite, PostgreSQL's WAL and transactions are the idle nodes' heartbeats: not this configuration's.
          walBytesPerRequest: c.engine === 'postgres' ? Math.round(Number(t.walBytes) / t.requests) : undefined,
          requestsPerWriteTransaction: c.engine === 'postgres' && t.writeTransactions > 0n ? Math.round((t.requests / Number(t.writeTransactions)) * 10) / 10 : undefined,
        });
        process.stderr.write(`  ${c.label.padEnd(12)} ${w.operation.padEnd(16)} ${String(row.rps).padStart(6)} req/s  p50 ${row.p50ms} ms  p99 ${row.p99ms} ms\n`);
      }
    }

    const ratios = clusterRatios(rows);
    const projections = costs.filter((c) => c.configuration === 'postgres x2').map(projection);
    process.stdout.write('\n' + formatTable(rows) + '\n' + formatCosts(costs) + '\n');
    process.stdout.write(`${'ratio (req/s)'.padEnd(44)} value\n`);
    for (const [k, v] of Object.entries(ratios)) process.stdout.write(`${k.padEnd(44)} ${String(v ?? 'n/a')}\n`);
    process.stdout.write('\n' + formatProjection(projections));

    const resultsDir = join(REPO_ROOT, 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-cluster.json`);
    const totalSeconds = Math.round((Date.now() - started) / 1000);
    writeFileSync(
      file,
      JSON.stringify({ date: new Date().toISOString(), quick, sliceSeconds, rounds, keyCount, cores, cpu: cpus()[0]?.model, node: process.version, rows, costs, ratios, projections, totalSeconds }, null, 2),
    );
    process.stdout.write(`\nwrote ${file} (${totalSeconds} s)\n`);
  } finally {
    for (const n of nodes.reverse()) await n.child.stop();
    for (const dir of dirs) removeDir(dir);
    await monitor?.end();
    postgres?.stop();
  }
}
