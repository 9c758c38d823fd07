/**
 * Audit proof cost and verification throughput (issue 12, item 9).
 *
 *   npm run bench:proof [-- --small 10000 --large 1000000 --proofs 1000 --verify-events 200000]
 *
 * 1. Proof latency: builds two trails directly in SQLite (a file in a temp directory, WAL), of --small
 *    and --large events — leaf hashes bulk-inserted with placeholder bodies, and the interior hashes the
 *    writer stores (MerkleFrontier's onNode, as SqliteAuditLog does) — then times --proofs random
 *    inclusion proofs and consistency proofs through SqliteAuditTrail (what GetAuditProof calls), in
 *    alternating slices of both sizes (a shared machine's load falls on both alike), and
 *    prints median and p99 for each size and the large/small ratio (O(log n): about flat). For contrast it
 *    also times the former method (read every leaf, then prove) on the small trail.
 * 2. Verify throughput: appends --verify-events realistic events through SqliteAuditLog (group commit,
 *    tree heads every 1000), exports them to a JSON-lines file as `arca audit export` does, and times
 *    `verifyExportStream` over the file (what `arca audit verify --file` runs): events per second.
 */
import { appendFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createHash } from 'node:crypto';
import { verifyExportStream } from '../src/audit/verify-log.js';
import { fileLines } from '../src/cli/export-file.js';
import type { AuditEvent } from '../src/core/audit.js';
import { ed25519Sign, generateEd25519 } from '../src/crypto/ed25519.js';
import { inclusionProof, MerkleFrontier } from '../src/crypto/merkle.js';
import { openDatabase, type SqliteDatabase } from '../src/store/sqlite/database.js';
import { sqliteAuditWriter } from '../src/server/audit-wiring.js';
import { SqliteAuditTrail } from '../src/store/sqlite/sqlite-audit-trail.js';

const { values } = parseArgs({
  options: { small: { type: 'string', default: '10000' }, large: { type: 'string', default: '1000000' }, proofs: { type: 'string', default: '1000' }, 'verify-events': { type: 'string', default: '200000' } },
});
const dir = mkdtempSync(join(tmpdir(), 'arca-bench-proof-'));
const noop = (): undefined => undefined;

/** A trail of `n` leaves with its stored interior nodes, built in one transaction. */
function bulkTrail(n: number): { db: SqliteDatabase; trail: SqliteAuditTrail; seconds: number } {
  const started = process.hrtime.bigint();
  const db = openDatabase(join(dir, `bulk-${n}.db`));
  const insert = db.prepare('INSERT INTO audit_events (seq, event_id, event_time, event_name, request_id, body, leaf_hash) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const node = db.prepare('INSERT INTO audit_tree_nodes (level, idx, hash) VALUES (?, ?, ?)');
  const frontier = new MerkleFrontier();
  db.transaction(() => {
    for (let i = 1; i <= n; i++) {
      const leaf = createHash('sha256').update(`leaf ${i}`).digest();
      insert.run(i, `e${i}`, '2026-01-01T00:00:00.000Z', 'Encrypt', `r${i}`, '{}', leaf);
      frontier.append(leaf, (level, index, hash) => node.run(level, index, hash));
    }
  }).immediate();
  // A steady-state database: the bulk transaction's pages moved from the WAL into the database file.
  db.pragma('wal_checkpoint(TRUNCATE)');
  const trail = new SqliteAuditTrail(db, () => 'bench', () => Buffer.alloc(32), noop, noop, []);
  return { db, trail, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

function stats(samples: number[]): { median: number; p99: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)] ?? NaN, p99: s[Math.min(s.length - 1, Math.floor(s.length * 0.99))] ?? NaN };
}

const rand = (max: number): number => 1 + Math.floor(Math.random() * max);

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e3; // µs
}

interface Latencies {
  readonly inclusion: number[];
  readonly consistency: number[];
}

/** `count` random proofs (an inclusion and a consistency proof each) against random tree sizes up to n. */
async function sampleProofs(trail: SqliteAuditTrail, n: number, count: number, into: Latencies): Promise<void> {
  for (let i = 0; i < count; i++) {
    const size = Math.max(2, rand(n));
    into.inclusion.push(await time(() => trail.inclusionProof(rand(size), size)));
    const first = rand(size - 1);
    into.consistency.push(await time(() => trail.consistencyProof(first, size)));
  }
}

function event(i: number): AuditEvent {
  return {
    eventVersion: '1.08',
    eventTime: new Date(Date.UTC(2026, 0, 1) + i).toISOString(),
    eventSource: 'kms',
    eventName: i % 3 === 0 ? 'Decrypt' : 'Encrypt',
    awsRegion: 'us-east-1',
    sourceIPAddress: '10.0.0.7',
    userAgent: 'aws-sdk-js/3.700.0 ua/2.1 os/linux lang/js md/nodejs#20.19.0 api/kms#3.700.0',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/app', accountId: '111122223333', accessKeyId: 'AKIAIOSFODNN7EXAMPLE' },
    requestParameters: { keyId: 'alias/app', encryptionContext: { tenant: `t${i % 97}`, purpose: 'billing' }, encryptionAlgorithm: 'SYMMETRIC_DEFAULT', plaintextLength: 4096 },
    responseElements: { keyId: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
    requestID: `9f0c6f7e-${String(i).padStart(12, '0')}`,
    eventID: `5c2a1b3d-${String(i).padStart(12, '0')}`,
    resources: [{ ARN: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab', type: 'AWS::KMS::Key' }],
    readOnly: true,
    eventCategory: 'Management',
  };
}

async function verifyThroughput(n: number): Promise<{ eventsPerSecond: number; eventsPerCpuSecond: number; seconds: number; cpuSeconds: number; ok: boolean; bytes: number }> {
  const db = openDatabase(join(dir, 'verify.db'));
  const log = await sqliteAuditWriter(db, { clock: { now: () => new Date() }, checkpointEvery: 1000, durability: 'sqlite-full' });
  const pair = generateEd25519();
  log.attachSigner({ publicKey: pair.publicKey, sign: (m) => ed25519Sign(pair.privateKeyDer, m) });
  db.pragma('synchronous = OFF'); // generating the log is not what is measured
  for (let i = 0; i < n; i += 2000) await Promise.all(Array.from({ length: Math.min(2000, n - i) }, (_, j) => log.append(event(i + j + 1))));
  await log.checkpoint();
  const trail = new SqliteAuditTrail(db, () => log.chainId, () => pair.publicKey, noop, noop, []);
  const file = join(dir, 'export.jsonl');
  writeFileSync(file, JSON.stringify({ arcaAuditExport: 1, chainId: log.chainId, publicKey: pair.publicKey.toString('base64') }) + '\n');
  for (let from = 1; from <= n; from += 10_000) {
    const entries = await trail.entriesInRange(from, from + 9_999);
    appendFileSync(file, entries.map((e) => JSON.stringify(e.event ?? { pruned: { sequence: e.sequence, leafHash: e.leafHash } }) + '\n').join(''));
  }
  appendFileSync(file, (await trail.treeHeads()).map((h) => JSON.stringify({ treeHead: h }) + '\n').join(''));
  log.close();
  db.close();
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const report = await verifyExportStream(() => fileLines(file), pair.publicKey);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  // CPU time too: on a shared machine the wall clock also counts the time other processes had the core.
  return { eventsPerSecond: Math.round(report.events / seconds), eventsPerCpuSecond: Math.round(report.events / cpuSeconds), seconds: Number(seconds.toFixed(2)), cpuSeconds: Number(cpuSeconds.toFixed(2)), ok: report.ok, bytes: statSync(file).size };
}

const small = Number(values.small);
const large = Number(values.large);
const count = Number(values.proofs);
try {
  const a = bulkTrail(small);
  const b = bulkTrail(large);
  const sa: Latencies = { inclusion: [], consistency: [] };
  const sb: Latencies = { inclusion: [], consistency: [] };
  await sampleProofs(a.trail, small, 100, { inclusion: [], consistency: [] }); // warm up
  await sampleProofs(b.trail, large, 100, { inclusion: [], consistency: [] });
  // Alternating slices, so that the load of a shared machine falls on both sizes alike.
  for (let round = 0; round < 10; round++) {
    await sampleProofs(a.trail, small, Math.ceil(count / 10), sa);
    await sampleProofs(b.trail, large, Math.ceil(count / 10), sb);
  }
  // The former method, for contrast: every leaf read, then the proof (a few samples suffice).
  const former: number[] = [];
  for (let i = 0; i < 20; i++) {
    former.push(
      await time(async () => {
        const leaves = a.db.prepare<[number], { leaf_hash: Buffer }>('SELECT leaf_hash FROM audit_events WHERE seq <= ? ORDER BY seq').all(small).map((r) => r.leaf_hash);
        inclusionProof(leaves, rand(small) - 1, small);
      }),
    );
  }
  a.db.close();
  b.db.close();
  const round = (x: number): number => Math.round(x * 10) / 10;
  const [ia, ib, ca, cb] = [stats(sa.inclusion), stats(sb.inclusion), stats(sa.consistency), stats(sb.consistency)];
  process.stdout.write(
    `${JSON.stringify({
      bench: 'audit-proof',
      proofs: sa.inclusion.length,
      [`inclusion_us_${small}`]: { median: round(ia.median), p99: round(ia.p99) },
      [`inclusion_us_${large}`]: { median: round(ib.median), p99: round(ib.p99) },
      [`consistency_us_${small}`]: { median: round(ca.median), p99: round(ca.p99) },
      [`consistency_us_${large}`]: { median: round(cb.median), p99: round(cb.p99) },
      inclusionMedianRatio: Math.round((ib.median / ia.median) * 100) / 100,
      consistencyMedianRatio: Math.round((cb.median / ca.median) * 100) / 100,
      [`formerAllLeavesProof_us_${small}`]: round(stats(former).median),
      buildSeconds: { [small]: round(a.seconds), [large]: round(b.seconds) },
    })}\n`,
  );
  const v = await verifyThroughput(Number(values['verify-events']));
  process.stdout.write(`${JSON.stringify({ bench: 'audit-verify', events: Number(values['verify-events']), ...v })}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
