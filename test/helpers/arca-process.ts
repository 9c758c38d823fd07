import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callOperation, type ClientConfig } from '../../src/cli/client.js';
import { ARCA_BIN } from './server.js';

/**
 * `arca server` as a REAL child process (fault tests: kill -9, a stopped database): the configuration is
 * written to `<dataDir>/arca.json` (JSON is YAML), the process listens on a free port (`listen` port 0),
 * and the endpoint is read from its banner line `Arca server listening on http://127.0.0.1:PORT`.
 * Every process started here is also in {@link runningProcesses}, so a test's `after` can kill them all
 * even when the test failed half-way.
 */
export interface ArcaProcess {
  readonly name: string;
  readonly endpoint: string;
  readonly dataDir: string;
  readonly pid: number;
  /** An unauthenticated client (the seal operations). */
  readonly anonymous: ClientConfig;
  /** Whether the process is still running (it has not exited, by itself or by a signal). */
  running(): boolean;
  /** Everything it wrote to stdout and stderr (the JSON log lines are on stdout; crashes on stderr). */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code, or the signal's name, once it exited. */
  readonly exited: Promise<number | string>;
  /** SIGKILL (no clean-up of any kind), resolving once it is gone. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs` if still running; resolves once it is gone. */
  stop(graceMs?: number): Promise<number | string>;
}

const started = new Set<ArcaProcess>();

/** The processes started by {@link startArcaProcess} that have not exited yet. */
export function runningProcesses(): ArcaProcess[] {
  return [...started].filter((p) => p.running());
}

/** SIGKILLs every process still running (for `after`, also on failure); resolves once all are gone. */
export async function killAllArcaProcesses(): Promise<void> {
  await Promise.all(runningProcesses().map((p) => p.kill()));
}

/**
 * Starts `node bin/arca server --config <dataDir>/arca.json` with `config` plus `listen: 127.0.0.1:0`,
 * TLS off and `dataDir`, its environment PATH, HOME and `extraEnv` (an HSM's SOFTHSM2_CONF and PIN); resolves once it listens (bounded by `timeoutMs`), rejects with its output if it
 * exits or stays silent.
 */
export async function startArcaProcess(name: string, dataDir: string, config: Record<string, unknown>, timeoutMs = 30_000, extraEnv: Record<string, string> = {}): Promise<ArcaProcess> {
  const file = join(dataDir, 'arca.json');
  writeFileSync(file, JSON.stringify({ listen: '127.0.0.1:0', tls: { enabled: false }, dataDir, ...config }, null, 2));
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/tmp', ...extraEnv };
  const child: ChildProcess = spawn(process.execPath, [ARCA_BIN, 'server', '--config', file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  let alive = true;
  const exited = new Promise<number | string>((ok) =>
    child.once('exit', (code, signal) => {
      alive = false;
      ok(code ?? signal ?? 'unknown');
    }),
  );
  const endpoint = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`arca server ${name} did not listen within ${timeoutMs} ms:\n${out}${err}`));
    }, timeoutMs);
    const check = (): void => {
      const m = /Arca server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`arca server ${name} exited (${code}) before listening:\n${out}${err}`));
    });
  });
  const stopWith = async (signal: NodeJS.Signals, graceMs: number): Promise<number | string> => {
    if (alive) child.kill(signal);
    const timer = setTimeout(() => alive && child.kill('SIGKILL'), graceMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  const proc: ArcaProcess = {
    name,
    endpoint,
    dataDir,
    pid: child.pid ?? -1,
    anonymous: { endpoint, region: 'us-east-1' },
    running: () => alive,
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: async () => void (await stopWith('SIGKILL', 0)),
    stop: (graceMs = 10_000) => stopWith('SIGTERM', graceMs),
  };
  started.add(proc);
  void exited.then(() => started.delete(proc));
  return proc;
}

/** Initializes the root through `node` (`ArcaService.InitializeRoot`); the shares and the administrator's client. */
export async function initializeThrough(node: ArcaProcess, shares = 3, threshold = 2): Promise<{ shares: string[]; credentials: { accessKeyId: string; secretAccessKey: string } }> {
  const out = await callOperation(node.anonymous, 'ArcaService.InitializeRoot', { Shares: shares, Threshold: threshold });
  return {
    shares: (out['UnsealShares'] as unknown[]).map(String),
    credentials: { accessKeyId: String(out['AdminAccessKeyId']), secretAccessKey: String(out['AdminSecretAccessKey']) },
  };
}

/** Presents `shares` to `node` (`ArcaService.Unseal`, one call each); the last answer. */
export async function unsealProcess(node: ArcaProcess, shares: readonly string[]): Promise<Record<string, unknown>> {
  let last: Record<string, unknown> = {};
  for (const share of shares) last = await callOperation(node.anonymous, 'ArcaService.Unseal', { Share: share });
  return last;
}

/**
 * Lines of a process's stderr that show a crash or an unhandled failure: an uncaught exception or
 * rejection, or a stack trace (`    at …`), which the JSON logger never prints on its own.
 */
export function crashLines(text: string): string[] {
  return text.split('\n').filter((l) => /uncaught|unhandled|^\s+at\s|^(\w*Error|Error)[:\s]|node:internal/i.test(l));
}
