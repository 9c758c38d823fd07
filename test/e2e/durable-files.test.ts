/**
 * Issue 12, item 11: a power cut seconds after the first start must not lose the dev root key. Runs
 * `arca dev` under strace and checks the order of the system calls: every file Arca creates reaches its
 * name only fully written and fsynced, its directory is fsynced after, and the root key file is durable
 * before the database is opened. Without strace the test is skipped with a reason, except in CI
 * (`CI=true`), where `.ci/run` installs it and a missing strace fails the test.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { ARCA_BIN, removeDir, tempDataDir } from '../helpers/server.js';

function straceAvailable(t: TestContext): boolean {
  if (spawnSync('strace', ['-V']).status === 0) return true;
  const reason = 'strace is not installed (apt-get install strace)';
  if (process.env.CI === 'true') assert.fail(`CI=true: ${reason}`);
  t.skip(reason);
  return false;
}

interface Call {
  readonly text: string;
}

/** Runs `arca dev` on a new data directory `dir` under strace until it listens, then stops it; the calls that touch dir's parent or below. */
async function traceFirstStart(dir: string): Promise<Call[]> {
  const traceFile = join(tmpdir(), `arca-${process.pid}-${Date.now()}.strace`);
  const child = spawn('strace', ['-f', '-y', '-qq', '-e', 'trace=openat,fsync,fdatasync,rename,renameat,renameat2,link,linkat,mkdir', '-o', traceFile, process.execPath, ARCA_BIN, 'dev', '--data-dir', dir, '--listen', '127.0.0.1:0', '--quiet'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: the signal reaches arca dev, not only strace
  });
  const stop = (): void => void (child.pid !== undefined && process.kill(-child.pid, 'SIGTERM'));
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  try {
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`arca dev under strace did not start in 60 s:\n${out}`)), 60_000);
      child.stdout.on('data', () => /listening on/.test(out) && (clearTimeout(timer), ok()));
      void exited.then(() => (clearTimeout(timer), fail(new Error(`arca dev exited early:\n${out}`))));
    });
  } finally {
    stop();
    await exited;
  }
  const lines = readFileSync(traceFile, 'utf8').split('\n');
  removeDir(traceFile);
  return lines.map((text) => ({ text })).filter((c) => c.text.includes(dirname(dir)) && !c.text.includes('= -1'));
}

function indexOf(calls: readonly Call[], pattern: RegExp, what: string, after = -1): number {
  const i = calls.findIndex((c, n) => n > after && pattern.test(c.text));
  assert.ok(i >= 0, `no ${what} in the trace (after call ${after}):\n${calls.map((c) => c.text).join('\n')}`);
  return i;
}

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The temporary file renamed or linked to `name`, and where that happened. */
function installed(calls: readonly Call[], dir: string, name: string, verb: 'rename' | 'link'): { at: number; temp: string } {
  const at = indexOf(calls, new RegExp(`${verb}(at2?)?\\(.*"(${esc(dir)}/[^"]+)", .*"${esc(join(dir, name))}"`), `${verb} onto ${name}`);
  const temp = new RegExp(`"(${esc(dir)}/[^"]+)"`).exec(calls[at]?.text ?? '')?.[1] ?? '';
  return { at, temp };
}

describe('files that survive a power cut (issue 12 item 11)', () => {
  it('arca dev makes its root key, credentials and data directory durable before the database uses them', async (t) => {
    if (!straceAvailable(t)) return;
    const parent = tempDataDir('arca-durable-e2e-');
    const dir = join(parent, 'data');
    try {
      const calls = await traceFirstStart(dir);
      const dbOpen = indexOf(calls, new RegExp(`openat\\(.*"${esc(join(dir, 'arca.db'))}"`), 'open of arca.db');

      // The data directory's own entry is durable: its parent is fsynced after the mkdir.
      const mkdir = indexOf(calls, new RegExp(`mkdir\\("${esc(dir)}"`), 'mkdir of the data directory');
      assert.ok(indexOf(calls, new RegExp(`fsync\\(\\d+<${esc(parent)}>\\)`), 'fsync of the parent directory', mkdir) < dbOpen);

      // The root key: written to a temporary file, fsynced, linked into place, directory fsynced — all before arca.db opens.
      const root = installed(calls, dir, 'insecure-dev-root.key', 'link');
      const rootSynced = indexOf(calls, new RegExp(`fsync\\(\\d+<${esc(root.temp)}>\\)`), 'fsync of the root key temporary file');
      assert.ok(rootSynced < root.at, 'the root key is fsynced before it gets its name');
      const dirSynced = indexOf(calls, new RegExp(`fsync\\(\\d+<${esc(dir)}>\\)`), 'fsync of the data directory', root.at);
      assert.ok(dirSynced < dbOpen, 'the root key is durable before the database is opened');

      // credentials.env: fsynced before its rename, directory fsynced after.
      const creds = installed(calls, dir, 'credentials.env', 'rename');
      assert.ok(indexOf(calls, new RegExp(`fsync\\(\\d+<${esc(creds.temp)}>\\)`), 'fsync of credentials.env') < creds.at);
      indexOf(calls, new RegExp(`fsync\\(\\d+<${esc(dir)}>\\)`), 'fsync of the data directory after credentials.env', creds.at);
      assert.match(readFileSync(join(dir, 'credentials.env'), 'utf8'), /AWS_SECRET_ACCESS_KEY=\S+/);
    } finally {
      removeDir(parent);
    }
  });
});
