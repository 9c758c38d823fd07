/**
 * Backup and restore cost (issue 15): time, file size and peak memory of a backup of a store with many
 * keys and audit events, of its verification, and of restoring it into a new SQLite data directory (and
 * into PostgreSQL when ARCA_BENCH_PG_URL names an empty database).
 *
 *   npm run bench:backup                                        # 2,000 keys, 100,000 encrypts (~1 min)
 *   npm run bench:backup -- --keys 10000 --encrypts 1000000     # the issue's size (RPO/RTO in docs/backup.md)
 *
 * Fills a real dev store (`arca dev`, a child process) through the protocol: CreateKey and Encrypt
 * requests, SigV4-signed and replayed by autocannon, so every request is a real audit event with its
 * Merkle nodes and signed tree heads. Then each step runs in a fresh child process of this script, so
 * that its peak RSS (process.resourceUsage().maxRSS) is its own: the offline `backup create --from`
 * while the server keeps serving, the server's own CreateBackup (time and size only: its process also
 * served the fill), `backup verify`, and `backup restore`. Prints one line per step.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import autocannon from 'autocannon';
import { createBackupFile } from '../src/server/backup-command.js';
import { inspectBackup, restoreBackup } from '../src/server/backup.js';
import { ARCA_BIN, readCredentials } from '../test/helpers/server.js';
import { startChild } from './lib/processes.js';
import { call, presign, type PresignedRequest, type Target } from './lib/signing.js';

const { values } = parseArgs({
  options: {
    keys: { type: 'string', default: '2000' },
    encrypts: { type: 'string', default: '100000' },
    connections: { type: 'string', default: '32' },
    // Internal: one measured step, run by this script in a child process.
    step: { type: 'string' },
    source: { type: 'string' },
    file: { type: 'string' },
    to: { type: 'string' },
  },
});

/** Signatures stay valid for 5 minutes: requests are signed again for every round of this many. */
const ROUND = 50_000;
const DISTINCT_REQUESTS = 500;

if (values.step !== undefined) {
  await runStep(values.step);
} else {
  await main();
}

/** One step, measured in this (fresh) process; prints its result as one JSON line. */
async function runStep(step: string): Promise<void> {
  const start = process.hrtime.bigint();
  const root = { devRootFile: join(values.source!, 'insecure-dev-root.key') };
  let detail = '';
  if (step === 'create') {
    const header = await createBackupFile(values.source!, values.file!, {});
    detail = `${header.counts['keys']} keys, ${header.counts['audit_events']} audit events, ${header.counts['audit_tree_nodes']} Merkle nodes`;
  } else if (step === 'verify') {
    inspectBackup(values.file!);
  } else if (step === 'restore') {
    const r = await restoreBackup(values.file!, { to: values.to!, root });
    detail = `${r.restored.reduce((n, t) => n + t.rows, 0)} rows`;
  } else throw new Error(`unknown step ${step}`);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  process.stdout.write(JSON.stringify({ seconds, maxRssMb: process.resourceUsage().maxRSS / 1024, detail }) + '\n');
}

async function measure(label: string, args: string[], file?: string): Promise<void> {
  const { stdout } = await promisify(execFile)(process.execPath, [process.argv[1]!, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const r = JSON.parse(stdout.trim().split('\n').pop()!) as { seconds: number; maxRssMb: number; detail: string };
  const size = file === undefined ? '' : `, file ${(statSync(file).size / 1e6).toFixed(1)} MB`;
  console.log(`${label.padEnd(34)} ${r.seconds.toFixed(2).padStart(8)} s, peak RSS ${r.maxRssMb.toFixed(0).padStart(5)} MB${size}${r.detail ? ` (${r.detail})` : ''}`);
}

async function fill(target: Target, name: string, requests: PresignedRequest[], amount: number, connections: number): Promise<void> {
  const r = await autocannon({ url: target.endpoint, connections, amount, requests, pipelining: 1, timeout: 30 });
  if (r.errors > 0 || r.non2xx > 0) throw new Error(`${name}: ${r.errors} errors, ${r.non2xx} non-2xx answers`);
}

async function main(): Promise<void> {
  const [keys, encrypts, connections] = [Number(values.keys), Number(values.encrypts), Number(values.connections)];
  const dir = mkdtempSync(join(tmpdir(), 'arca-bench-backup-'));
  const source = join(dir, 'source');
  const server = await startChild(process.execPath, [ARCA_BIN, 'dev', '--data-dir', source, '--listen', '127.0.0.1:0', '--quiet'], { pattern: /listening on (http:\/\/\S+)/, name: 'arca' });
  try {
    const c = readCredentials(source);
    const target: Target = { endpoint: server.endpoint, region: c.region, accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey };
    let t = process.hrtime.bigint();
    for (let done = 0; done < keys; done += ROUND) {
      await fill(target, 'CreateKey', [await presign(target, 'TrentService.CreateKey', {})], Math.min(ROUND, keys - done), connections);
    }
    const keysFilled = Number(process.hrtime.bigint() - t) / 1e9;
    const ids: string[] = [];
    for (let marker: string | undefined; ; ) {
      const page = await call(target, 'TrentService.ListKeys', { Limit: 1000, ...(marker !== undefined && { Marker: marker }) });
      ids.push(...(page['Keys'] as { KeyId: string }[]).map((k) => k.KeyId));
      if (page['Truncated'] !== true) break;
      marker = String(page['NextMarker']);
    }
    for (let done = 0, round = 0; done < encrypts; done += ROUND, round++) {
      const requests = await Promise.all(Array.from({ length: Math.min(DISTINCT_REQUESTS, ids.length) }, (_, i) =>
        presign(target, 'TrentService.Encrypt', { KeyId: ids[(round * DISTINCT_REQUESTS + i) % ids.length], Plaintext: Buffer.alloc(64, i).toString('base64') })));
      await fill(target, 'Encrypt', requests, Math.min(ROUND, encrypts - done), connections);
    }
    const filled = Number(process.hrtime.bigint() - t) / 1e9;
    console.log(`filled: ${ids.length} keys, ${encrypts} encrypts in ${filled.toFixed(1)} s (keys ${keysFilled.toFixed(1)} s); store ${(statSync(join(source, 'arca.db')).size / 1e6).toFixed(1)} MB (+ WAL)`);
    const file = join(dir, 'store.arcabak');
    await measure('backup create --from (serving)', ['--step', 'create', '--source', source, '--file', file], file);
    t = process.hrtime.bigint();
    const made = await call(target, 'ArcaService.CreateBackup', {});
    console.log(`${'server CreateBackup'.padEnd(34)} ${(Number(process.hrtime.bigint() - t) / 1e9).toFixed(2).padStart(8)} s, file ${(Number(made['Bytes']) / 1e6).toFixed(1)} MB (peak RSS: the server's, not measured)`);
    await server.stop();
    await measure('backup verify', ['--step', 'verify', '--source', source, '--file', file]);
    await measure('backup restore -> SQLite', ['--step', 'restore', '--source', source, '--file', file, '--to', join(dir, 'restored')]);
    const pg = process.env['ARCA_BENCH_PG_URL'];
    if (pg !== undefined) await measure('backup restore -> PostgreSQL', ['--step', 'restore', '--source', source, '--file', file, '--to', pg]);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
