import { spawn, type ChildProcess } from 'node:child_process';

export interface Child {
  readonly endpoint: string;
  readonly process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Starts a server process and waits for `pattern` (whose group 1 is the endpoint) in its output. */
export async function startChild(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; pattern: RegExp; name: string; timeoutMs?: number }): Promise<Child> {
  const child = spawn(cmd, args, { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const onData = (d: Buffer) => (out += d.toString());
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const endpoint = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`${opts.name} did not start:\n${out}`)), opts.timeoutMs ?? 30_000);
    const check = () => {
      const m = opts.pattern.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      fail(new Error(`${opts.name} exited before it was ready:\n${out}`));
    });
  });
  return {
    endpoint,
    process: child,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
