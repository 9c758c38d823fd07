/**
 * `npm run bench:compare -- <ref> [<ref> ...]`: this checkout's Arca against the Arca of other commits
 * (each built in a temporary git worktree, lib/build-commit.ts) and the ideal KMS, all up at once and
 * driven in alternation (lib/alternate.ts), so that one run measures several changes or experiments on
 * the same machine load (issue 25: "try each lever, keep what pays").
 *
 *   npm run bench:compare -- HEAD~1 lever-a lever-b                 # Encrypt 4 KiB, 64 connections
 *   npm run bench:compare -- HEAD~1 --operation Decrypt --operation 'Sign P-256' --rounds 8 --slice 2
 *   npm run bench:compare -- HEAD~1 --instances 2   # two processes of each build, summed
 *
 * Prints req/s, p50 and p99 of each server and its throughput relative to this checkout's and the ideal
 * KMS's. One process of a build can run a few percent faster or slower than another of the same build
 * (its JIT's and heap's layout): `--instances n` starts n of each Arca, all in the alternation, and
 * reports each build over its n processes.
 */
import { parseArgs } from 'node:util';
import { removeDir } from '../test/helpers/server.js';
import { alternate, type Contender } from './lib/alternate.js';
import { buildCommit } from './lib/build-commit.js';
import { formatTable, ratio, type Row } from './lib/report.js';
import { HEADLINE, headlineRequests, startArca, startIdeal } from './lib/servers.js';
import type { PresignedRequest } from './lib/signing.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    operation: { type: 'string', multiple: true, default: ['Encrypt'] },
    rounds: { type: 'string', default: '6' },
    slice: { type: 'string', default: '1.5' },
    instances: { type: 'string', default: '1' },
  },
});
const instances = Number(values.instances);
if (!Number.isInteger(instances) || instances < 1 || instances > 4) throw new Error('--instances: 1 to 4');
const workloads = HEADLINE.filter(([operation]) => values.operation.includes(operation));
if (workloads.length !== values.operation.length) throw new Error(`--operation: one of ${HEADLINE.map(([o]) => o).join(', ')}`);
if (positionals.length === 0) throw new Error('name at least one git ref to compare with');

const builds = positionals.map((ref) => ({ ref, build: buildCommit(ref) }));
const arcas: { server: string; build: string; started: Awaited<ReturnType<typeof startArca>> }[] = [];
for (const { name, bin } of [{ name: 'arca', bin: undefined }, ...builds.map(({ ref, build }) => ({ name: `arca@${ref}`, bin: build.bin }))]) {
  for (let n = 1; n <= instances; n++) arcas.push({ server: instances === 1 ? name : `${name}#${n}`, build: name, started: await startArca(1, bin) });
}
const ideal = await startIdeal();
const rows: Row[] = [];
try {
  const servers = [];
  for (const { server, started } of arcas) servers.push({ server, endpoint: started.target.endpoint, requests: await headlineRequests(started.target, true) });
  servers.push({ server: 'ideal-kms', endpoint: ideal.target.endpoint, requests: await headlineRequests(ideal.target, false) });
  for (const [operation, payload] of workloads) {
    const contenders: Contender[] = servers.map((s) => ({ server: s.server, endpoint: s.endpoint, requests: s.requests.get(operation) as PresignedRequest[] }));
    await alternate(contenders, operation, payload, 1, 1); // warm-up round, not recorded
    rows.push(...(await alternate(contenders, operation, payload, Number(values.rounds), Number(values.slice))));
  }
} finally {
  for (const { started } of arcas) {
    await started.child.stop();
    removeDir(started.dir);
  }
  await ideal.stop();
  for (const { build } of builds) build.remove();
}

process.stdout.write('\n' + formatTable(rows) + '\n');
/** A build's req/s over all its processes' slices (requests over seconds, not a mean of rates). */
function throughput(build: string, operation: string): number | undefined {
  const mine = rows.filter((r) => r.operation === `${operation} (alternating)` && (r.server === build || arcas.some((a) => a.server === r.server && a.build === build)));
  const seconds = mine.reduce((t, r) => t + r.requests / r.rps, 0);
  return mine.length === 0 ? undefined : mine.reduce((t, r) => t + r.requests, 0) / seconds;
}
for (const [operation] of workloads) {
  process.stdout.write(`${operation}:\n`);
  for (const build of new Set(arcas.map((a) => a.build))) {
    const of = throughput(build, operation);
    process.stdout.write(`  ${build.padEnd(28)} ${String(Math.round(of ?? 0)).padStart(6)} req/s  / arca ${String(ratio(of, throughput('arca', operation))).padEnd(6)} / ideal ${ratio(of, throughput('ideal-kms', operation))}\n`);
  }
}
