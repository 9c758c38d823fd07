/**
 * `npm run bench:profile`: where one request's CPU goes, per stage (issue 25: profile before changing).
 *
 *   npm run bench:profile                                  # Encrypt 4 KiB, 64 connections, 15 s
 *   npm run bench:profile -- --operation Decrypt --seconds 20 --connections 16   # also GenerateDataKey, Sign (P-256)
 *   npm run bench:profile -- --server ideal                # the ideal KMS (baselines/ideal-kms.ts) under the same load
 *   npm run bench:profile -- --save encrypt.cpuprofile     # also keep the profile (Chrome DevTools opens it)
 *
 * Starts `bin/arca dev` under `node --cpu-prof` (the Node running this script), warms it for 3 s, drives
 * one workload with autocannon (every request SigV4-signed once and replayed, as `npm run bench` does),
 * reads the server's CPU from /proc, stops it, and attributes every sample of the server's main thread to
 * a stage: the first frame of Arca's own code on the sample's stack names the stage (node:crypto called
 * from src/crypto is crypto); a stack with none is classified by its leaf (the HTTP parser, sockets, GC).
 * Prints the stages with their share of the busy main thread and their microseconds per request.
 * `--server ideal` profiles the ideal KMS instead, its functions mapped to the same stages, so that the
 * two breakdowns show where Arca spends what the ideal does not.
 */
import autocannon from 'autocannon';
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ARCA_BIN, removeDir, tempDataDir } from '../test/helpers/server.js';
import { processCpuSeconds } from './lib/proc-cpu.js';
import { headlineRequests, startArca, startIdeal } from './lib/servers.js';
import type { PresignedRequest } from './lib/signing.js';

const { values } = parseArgs({
  options: { operation: { type: 'string', default: 'Encrypt' }, seconds: { type: 'string', default: '15' }, connections: { type: 'string', default: '64' }, top: { type: 'string', default: '15' }, save: { type: 'string' }, server: { type: 'string', default: 'arca' } },
});
if (values.server !== 'arca' && values.server !== 'ideal') throw new Error(`--server: arca or ideal, not ${values.server}`);
const ideal = values.server === 'ideal';
const seconds = Number(values.seconds);
const connections = Number(values.connections);

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** The ideal KMS's functions (baselines/ideal-kms.ts), in the stages of Arca's that do the same work. */
const IDEAL_STAGES: Record<string, string> = {
  verify: 'SigV4',
  hmac: 'SigV4',
  encrypt: 'crypto and custody',
  dataKey: 'crypto and custody',
  requestEvent: 'audit event',
  appendLeaf: 'audit event and its rows (SQLite)',
  flush: 'store (SQLite)',
  flushAndAck: 'store (SQLite)',
  audit: 'store (SQLite)',
};

/** The stage of a frame of Arca's own code, by its source folder (DESIGN.md §1's layers); of the ideal KMS's, by its function. */
function ownStage(url: string, functionName: string): string | undefined {
  if (url.endsWith('/baselines/ideal-kms.js')) return IDEAL_STAGES[functionName] ?? 'transport (JSON, base64, answer)';
  const m = /\/dist\/src\/([a-z0-9-]+)\/(?:([a-z0-9-]+)\/)?/.exec(url);
  if (m === null) return undefined;
  const [, layer, sub] = m;
  if (layer === 'service') return sub === 'pipeline' ? 'pipeline (validation, key state, errors)' : sub === 'access' ? 'authorization' : `operation (service/${sub ?? ''})`;
  if (layer === 'core') return /\/policy\//.test(url) ? 'authorization' : /audit|merkle/.test(url) ? 'audit event' : 'core';
  if (layer === 'auth') return 'SigV4';
  if (layer === 'api') return 'transport (JSON, base64, answer)';
  if (layer === 'audit') return 'audit event';
  if (layer === 'crypto' || layer === 'custody') return 'crypto and custody';
  if (layer === 'store') return 'store (SQLite)';
  return layer === 'server' ? 'HTTP listener (src/server)' : layer;
}

/** The stage of a sample with no frame of Arca's own code: node's HTTP and streams, GC, or the rest. */
function leafStage(frame: ProfileNode['callFrame']): string {
  if (frame.functionName === '(garbage collector)') return 'GC';
  if (frame.functionName === '(program)') return 'native, unattributed (program)';
  if (/_http_|node:http|internal\/http|node:net|internal\/stream|node:stream|node:events|internal\/timers/.test(frame.url)) return 'HTTP, sockets and streams (node)';
  return 'node internals (other)';
}

function breakdown(profile: CpuProfile): { stages: Map<string, number>; busyUs: number; functions: Map<string, number> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stageOf = new Map<number, string>();
  const classify = (id: number): string => {
    const known = stageOf.get(id);
    if (known !== undefined) return known;
    let stage: string | undefined;
    for (let at: number | undefined = id; at !== undefined && stage === undefined; at = parent.get(at)) stage = ownStage(byId.get(at)?.callFrame.url ?? '', byId.get(at)?.callFrame.functionName ?? '');
    stage ??= leafStage(byId.get(id)?.callFrame ?? { functionName: '', url: '' });
    stageOf.set(id, stage);
    return stage;
  };
  const stages = new Map<string, number>();
  const functions = new Map<string, number>();
  let busyUs = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)?.callFrame;
    const us = profile.timeDeltas[i + 1] ?? 0; // a sample's time is the delta to the next one
    if (frame === undefined || frame.functionName === '(idle)') return;
    busyUs += us;
    const stage = classify(id);
    stages.set(stage, (stages.get(stage) ?? 0) + us);
    const fn = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/(dist|node_modules)\//, '').replace(/^node:/, 'node:')} [${stage}]`;
    functions.set(fn, (functions.get(fn) ?? 0) + us);
  });
  return { stages, busyUs, functions };
}

/** `--operation`'s workload among the benchmark's (bench/lib/servers.ts): Sign is Sign P-256. */
const workload = values.operation === 'Sign' ? 'Sign P-256' : values.operation;
if (!['Encrypt', 'Decrypt', 'GenerateDataKey', 'Sign P-256'].includes(workload)) throw new Error(`--operation: Encrypt, Decrypt, GenerateDataKey or Sign, not ${values.operation}`);

const dir = tempDataDir('arca-profile-');
const profDir = join(dir, 'profiles');
const profile = ['--cpu-prof', `--cpu-prof-dir=${profDir}`];
const server = ideal ? await startIdeal(1, profile) : await startArca(1, ARCA_BIN, profile);
const { child, target } = server;
try {
  const requests = (await headlineRequests(target, !ideal)).get(workload) as PresignedRequest[];
  const drive = (duration: number) => autocannon({ url: target.endpoint, connections, duration, requests });
  const warm = await drive(3); // a cold JIT is not what users see
  const pid = child.process.pid ?? 0;
  const cpuBefore = processCpuSeconds(pid);
  const result = await drive(seconds);
  const cpuUs = (processCpuSeconds(pid) - cpuBefore) * 1e6;
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`the run had ${result.non2xx} non-2xx answers and ${result.errors} errors`);
  await child.stop();
  const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length !== 1) throw new Error(`expected one profile in ${profDir}, found ${files.length}`);
  if (values.save !== undefined) copyFileSync(join(profDir, files[0] ?? ''), values.save);
  const { stages, busyUs, functions } = breakdown(JSON.parse(readFileSync(join(profDir, files[0] ?? ''), 'utf8')) as CpuProfile);
  // The profile spans the warm-up too: per-request figures divide by every request the server answered.
  const measured = result.requests.total;
  const perRequest = (us: number) => us / (measured + warm.requests.total);
  process.stdout.write(`${ideal ? 'ideal KMS, ' : ''}${values.operation} at ${connections} connections, ${seconds} s, ${process.version}: ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms\n`);
  process.stdout.write(`server CPU per request (all threads, /proc): ${(cpuUs / measured).toFixed(0)} µs; main thread busy per request (profile): ${perRequest(busyUs).toFixed(0)} µs\n\n`);
  process.stdout.write('| stage | share of the busy main thread | µs per request |\n|---|---:|---:|\n');
  const sorted = [...stages].sort((a, b) => b[1] - a[1]);
  const minor = sorted.filter(([, us]) => us < busyUs / 1000);
  for (const [stage, us] of sorted.filter(([, us]) => us >= busyUs / 1000)) {
    process.stdout.write(`| ${stage} | ${((100 * us) / busyUs).toFixed(1)} % | ${perRequest(us).toFixed(1)} |\n`);
  }
  if (minor.length > 0) process.stdout.write(`| ${minor.length} other stages, each under 0.1 % | ${((100 * minor.reduce((a, [, us]) => a + us, 0)) / busyUs).toFixed(1)} % | |\n`);
  process.stdout.write(`\nTop ${values.top} functions by self time:\n`);
  for (const [fn, us] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
    process.stdout.write(`  ${((100 * us) / busyUs).toFixed(1).padStart(5)} %  ${fn}\n`);
  }
} finally {
  if ('dir' in server) {
    await child.stop();
    removeDir(server.dir);
  } else await server.stop();
  removeDir(dir);
}
