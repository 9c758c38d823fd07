/**
 * `arca dev --ephemeral` start-up (issue 20: a CI pipeline waits for it before its tests): the time from
 * spawning the process to the "listening on" banner, against a bare `node` process that prints one line,
 * spawned the same way in the same run (the floor a Node.js server cannot go below), alternating.
 *
 *   npm run bench:dev-startup -- --runs 7
 *
 * Prints each median and the ratio. Target (issue 20): ready in under 1 s on the reference machine.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ARCA_BIN, REPO_ROOT } from '../test/helpers/server.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' }, seed: { type: 'boolean', default: false } } });
const runs = Number(values.runs);

/** Milliseconds from spawn to the first output line containing `ready`. */
async function timeToReady(args: string[], ready: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const ms = await new Promise<number>((ok, fail) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(ready)) ok(performance.now() - started);
    });
    child.once('exit', (code) => fail(new Error(`exited with ${code} before ready:\n${out}`)));
  });
  child.kill('SIGTERM');
  await new Promise((ok) => child.once('exit', ok));
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const seed = values.seed ? ['--seed', join(REPO_ROOT, 'test', 'fixtures', 'dev-seed.yaml')] : [];
const arca: number[] = [];
const bare: number[] = [];
for (let i = 0; i < runs; i++) {
  bare.push(await timeToReady(['-e', 'console.log("listening on")'], 'listening on'));
  arca.push(await timeToReady([ARCA_BIN, 'dev', '--ephemeral', '--listen', '127.0.0.1:0', '--quiet', ...seed], 'listening on'));
}
process.stdout.write(
  [
    `arca dev --ephemeral${seed.length > 0 ? ' --seed test/fixtures/dev-seed.yaml' : ''}: ready in ${median(arca).toFixed(0)} ms (median of ${runs}; ${arca.map((x) => x.toFixed(0)).join(', ')})`,
    `bare node process:     ${median(bare).toFixed(0)} ms (median of ${runs})`,
    `ratio arca/bare:       ${(median(arca) / median(bare)).toFixed(2)}  target: arca ready < 1000 ms`,
    '',
  ].join('\n'),
);
