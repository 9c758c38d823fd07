import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Command } from 'commander';
import { treeOf, bashCompletion, fishCompletion, zshCompletion } from './completion.js';
import { cliDocs } from './docs.js';
import { extraCommands } from './main.js';
import { globalsOf } from './globals.js';
import { colourWanted, render } from './output.js';
import { buildProgram, commandOf, runProgram, withCompatKeyFlag } from './program.js';

/** Runs `args` through a fresh program, capturing what it writes; answers the exit code and the output. */
async function run(args: string[], extra: Command[] = []): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const write = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  process.stdout.write = ((chunk: string | Uint8Array) => ((out += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((err += String(chunk)), true)) as typeof process.stderr.write;
  try {
    const code = await runProgram(buildProgram(extra), args);
    return { code, out, err };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
}

const SERVER_SIDE = new Set(['dev', 'server', 'storage', 'backup verify', 'backup restore', 'operator export-recovery', 'operator recover-shares']);

/** A command that prints the global options it sees, to check where they may be written. */
function probe(): Command {
  const p = new Command('probe').option('--key <key>', 'a KMS key');
  p.command('leaf').action((_o, cmd: Command) => {
    process.stdout.write(JSON.stringify(globalsOf(cmd)));
  });
  return p;
}

describe('the arca program (commander)', () => {
  test('global options are read before and after the command, and between group and subcommand', async () => {
    for (const args of [
      ['--output', 'json', '--endpoint', 'http://h:1', 'probe', 'leaf'],
      ['probe', 'leaf', '--output', 'json', '--endpoint=http://h:1'],
      ['probe', '--output', 'json', 'leaf', '--endpoint', 'http://h:1'],
    ]) {
      const r = await run(args, [probe()]);
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(JSON.parse(r.out), { output: 'json', endpoint: 'http://h:1' }, args.join(' '));
    }
    const text = await run(['probe', 'leaf', '--output', 'text'], [probe()]);
    assert.deepEqual(JSON.parse(text.out), { output: 'table' }, '--output text (the server commands\' word) is table');
  });

  test('--help and help <command> at every level exit 0 and show that command\'s usage', async () => {
    const program = buildProgram();
    const nodes = treeOf(program);
    assert.ok(nodes.length > 60, `every command and subcommand: ${nodes.length}`);
    for (const node of nodes) {
      const path = node.path === '' ? [] : node.path.split(' ');
      const r = await run([...path, '--help']);
      assert.equal(r.code, 0, `${node.path} --help: ${r.err}`);
      const serverSide = SERVER_SIDE.has(node.path);
      // The server process answers a server-side command's --help; the program only points there.
      assert.match(r.out, serverSide ? /runs in the server process/ : new RegExp(`^Usage: arca${path.length ? ' ' + path.join(' ') : ''} `), node.path);
      if (path.length > 0) {
        const h = await run(['help', ...path]);
        assert.equal(h.code, 0, `help ${node.path}`);
        assert.equal(h.out, r.out, `help ${node.path} is ${node.path} --help`);
      }
    }
    for (const args of [['operator', '--help'], ['audit', '--help'], ['audit', 'help', 'query'], ['--help'], []]) assert.equal((await run(args)).code, 0, args.join(' '));
  });

  test('an unknown command, an unknown option, a missing argument or a bad --output: exit 2 with the usage on stderr', async () => {
    const unknown = await run(['nope']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /^arca: unknown command 'nope'/);
    assert.match(unknown.err, /Usage: arca /);
    const option = await run(['principal', 'list', '--bogus']);
    assert.equal(option.code, 2);
    assert.match(option.err, /unknown option '--bogus'[\s\S]*Usage: arca principal list/);
    const missing = await run(['approvals', 'approve', 'apr-1']);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /required option '--reason <text>' not specified[\s\S]*Usage: arca approvals approve/);
    assert.equal((await run(['principal', 'list', '--output', 'xml'])).code, 2);
    assert.equal((await run(['operator'])).code, 2, 'a group without its subcommand');
    const badJson = await run(['call', 'TrentService.ListKeys', '{nope']);
    assert.equal(badJson.code, 2);
    assert.match(badJson.err, /^arca call: the input is not valid JSON\n\nUsage: arca call /);
  });

  test('--version and version print the version', async () => {
    const v = await run(['--version']);
    assert.equal(v.code, 0);
    assert.match(v.out, /^\d+\.\d+\.\d+/);
    assert.equal((await run(['version'])).out, v.out);
    assert.equal(JSON.parse((await run(['version', '--output', 'json'])).out).Version, v.out.trim());
  });

  test('colour only on a terminal without NO_COLOR; the table header is bold then', () => {
    assert.equal(colourWanted({}, true), true);
    assert.equal(colourWanted({ NO_COLOR: '1' }, true), false);
    assert.equal(colourWanted({ NO_COLOR: '' }, true), true, 'an empty NO_COLOR is unset (no-color.org)');
    assert.equal(colourWanted({}, false), false);
    const rows = [{ A: 1, B: 'x' }];
    assert.equal(render('table', rows), 'A  B\n1  x\n');
    assert.equal(render('table', rows, undefined, true), '\u001b[1mA  B\u001b[22m\n1  x\n');
    assert.equal(render('yaml', { A: 1, B: undefined }), 'A: 1\n');
    assert.equal(render('json', rows), '[\n  {\n    "A": 1,\n    "B": "x"\n  }\n]\n');
  });

  test('--key is the client key only on a command without a KMS --key of its own', () => {
    const program = buildProgram([probe()]);
    assert.deepEqual(withCompatKeyFlag(program, ['principal', 'list', '--cert', 'c.pem', '--key', 'k.pem']), ['principal', 'list', '--cert', 'c.pem', '--cert-key', 'k.pem']);
    assert.deepEqual(withCompatKeyFlag(program, ['--key=k.pem', 'operator', 'status']), ['--cert-key=k.pem', 'operator', 'status']);
    for (const args of [['audit', 'query', '--key', 'k1'], ['alerts', 'list', '--key', 'k1'], ['access', 'request', '--key', 'alias/x'], ['probe', '--key', 'alias/x']]) assert.deepEqual(withCompatKeyFlag(program, args), args);
    assert.equal(commandOf(program, ['--endpoint', 'http://x', 'audit', '--output', 'json', 'query']).name(), 'query');
  });

  test('completion scripts name every command; bash -n accepts the bash one (and zsh -n, fish -n the others when installed)', () => {
    const program = buildProgram();
    const bash = bashCompletion(program);
    for (const word of ['"principal create"', '"audit verify"', 'rotate-root', '--share-dir', '--output', 'complete -o default -F _arca arca']) assert.ok(bash.includes(word), word);
    const fish = fishCompletion(program);
    assert.match(fish, /complete -c arca -n '__arca_at principal' -a 'create'/);
    const checks: [string, string][] = [['bash', bash], ['zsh', zshCompletion(program)], ['fish', fish]];
    for (const [shell, script] of checks) {
      const r = spawnSync(shell, ['-n'], { input: script, encoding: 'utf8' });
      if (r.error !== undefined) {
        if (shell === 'bash' && process.env['CI'] === 'true') assert.fail('bash is missing');
        process.stdout.write(`# skipped ${shell} -n: ${shell} is not installed\n`);
        continue;
      }
      assert.equal(r.status, 0, `${shell} -n: ${r.stderr}`);
    }
  });

  test('arca completion bash prints the script; an unknown shell is a usage error', async () => {
    const r = await run(['completion', 'bash']);
    assert.equal(r.code, 0);
    assert.equal(r.out, bashCompletion(buildProgram()));
    assert.equal((await run(['completion', 'tcsh'])).code, 2);
  });

  test('docs/cli.md is what the command definitions generate (npm run docs:cli)', () => {
    const committed = readFileSync(new URL('../../../docs/cli.md', import.meta.url), 'utf8');
    assert.equal(committed, cliDocs(buildProgram(extraCommands())), 'docs/cli.md is stale: run npm run docs:cli');
    for (const heading of ['## arca operator', '### arca operator init', '### arca principal create', '`--output <format>`']) assert.ok(committed.includes(heading), heading);
  });
});
