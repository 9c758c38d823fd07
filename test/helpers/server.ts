import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root (tests run from dist/test/...). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const ARCA_BIN = join(REPO_ROOT, 'bin', 'arca');

export interface DevCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  endpoint: string;
}

export interface DevServer {
  readonly endpoint: string;
  readonly dataDir: string;
  readonly credentials: DevCredentials;
  readonly process: ChildProcess;
  /** Everything the server printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, then wait for a clean exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL. */
  kill(): Promise<void>;
}

export function tempDataDir(prefix = 'arca-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function readCredentials(dataDir: string): DevCredentials {
  const env = Object.fromEntries(
    readFileSync(join(dataDir, 'credentials.env'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const m = /^export ([A-Z_]+)=(.*)$/.exec(l);
        if (!m) throw new Error(`unexpected credentials.env line: ${l}`);
        return [m[1], m[2]];
      }),
  );
  return { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, region: env.AWS_REGION, endpoint: env.ARCA_ENDPOINT };
}

/**
 * Starts `bin/arca dev` as a real child process on a free port and waits until it prints its endpoint.
 * The data directory is kept when given (restart tests) and created otherwise.
 */
export async function startDevServer(opts: { dataDir?: string; args?: string[] } = {}): Promise<DevServer> {
  const dataDir = opts.dataDir ?? tempDataDir();
  const child = spawn(process.execPath, [ARCA_BIN, 'dev', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--quiet', ...(opts.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  const endpoint = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`arca dev did not start in 20 s:\n${out}`)), 20_000);
    const check = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`arca dev exited with ${code} before listening:\n${out}`));
    });
  });
  return {
    endpoint,
    dataDir,
    credentials: readCredentials(dataDir),
    process: child,
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
