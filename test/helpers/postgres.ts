import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { accessSync, chownSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';

/**
 * Throwaway PostgreSQL clusters for tests (ADR 0013): `initdb` into a temp dir, `pg_ctl start` on a free
 * port, listening on 127.0.0.1 only with trust auth, `fsync=on` (the store's durability is under test, so
 * no test-only shortcut on the server), stopped and removed at the end, also when the test process fails.
 *
 * PostgreSQL refuses to run as root. As root (CI and this machine), the binaries run as `nobody` through
 * `setpriv --reuid --regid --clear-groups` (util-linux, in every Debian image; `runuser` also works but
 * goes through PAM), and the temp dir is chowned to that user. `nobody` exists on every Debian system,
 * so CI needs no useradd.
 */

/** $ARCA_PG_BIN alone when set (another PostgreSQL 15+ build), else Debian's path, then PATH. */
const BIN_DIRS = process.env['ARCA_PG_BIN'] ? [process.env['ARCA_PG_BIN']] : ['/usr/lib/postgresql/15/bin', ...(process.env['PATH'] ?? '').split(delimiter).filter(Boolean)];
const RUN_AS = 'nobody';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The directory holding initdb, pg_ctl and postgres, or undefined. */
export const PG_BIN = BIN_DIRS.find((d) => ['initdb', 'pg_ctl', 'postgres'].every((b) => executable(join(d, b))));

/** Why PostgreSQL tests cannot run here, or `undefined` when they can. */
export function postgresMissing(): string | undefined {
  if (PG_BIN === undefined) return `PostgreSQL server binaries (initdb, pg_ctl, postgres) not found in ${BIN_DIRS.slice(0, 2).join(', ')}${BIN_DIRS.length > 2 ? ' or PATH' : ''}; apt-get install postgresql-15`;
  if (process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status !== 0) return 'running as root and setpriv (util-linux) is missing: PostgreSQL cannot run as root';
  return undefined;
}

function idOf(flag: '-u' | '-g'): number {
  const r = spawnSync('id', [flag, RUN_AS], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`no user ${RUN_AS} to run PostgreSQL as (root cannot): ${r.stderr}`);
  return Number(r.stdout.trim());
}

/** Runs a PostgreSQL binary, as `nobody` when this process is root. */
function runPg(bin: string, args: readonly string[]): SpawnSyncReturns<string> {
  const path = join(PG_BIN ?? '', bin);
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LC_ALL: 'C' };
  const [cmd, argv] = process.getuid?.() === 0 ? ['setpriv', ['--reuid', RUN_AS, '--regid', String(idOf('-g')), '--clear-groups', path, ...args]] : [path, [...args]];
  return spawnSync(cmd as string, argv as string[], { encoding: 'utf8', env, timeout: 60_000 });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A running throwaway cluster; superuser `postgres`, no password (trust on 127.0.0.1). */
export interface PostgresCluster {
  readonly port: number;
  url(database: string): string;
  /** Creates a new empty database (or a copy of `template`) and returns its name. */
  createDatabase(template?: string): Promise<string>;
  /** Stops the server (fast shutdown: sessions are ended) and keeps its files, for {@link resume}. */
  pause(): void;
  /** Starts a paused server again on the same port. */
  resume(): void;
  /**
   * SIGSTOPs the server and every backend: connections are still accepted by the kernel and open
   * sessions stay up, but nothing answers (a hung or partitioned database, unlike {@link pause}'s refusals).
   */
  freeze(): void;
  /** SIGCONTs what {@link freeze} stopped. */
  thaw(): void;
  /** Stops the server and removes its files; idempotent. */
  stop(): void;
}

let databases = 0;

/** Starts a cluster (retrying on a port taken between probe and start). */
export async function startPostgres(): Promise<PostgresCluster> {
  const missing = postgresMissing();
  if (missing !== undefined) throw new Error(missing);
  const dir = mkdtempSync(join(tmpdir(), 'arca-pg-'));
  if (process.getuid?.() === 0) chownSync(dir, idOf('-u'), idOf('-g'));
  const data = join(dir, 'data');
  const stop = (): void => {
    process.removeListener('exit', stop);
    try {
      signalServer(data, 'SIGCONT'); // a frozen server would not stop
    } catch {
      // not running
    }
    runPg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  // A runner that interrupts the file (timeout, ^C) sends a signal, which skips 'exit': stop, then die of it.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stop();
      process.kill(process.pid, signal);
    });
  }
  try {
    // --no-sync: initdb's files need no fsync for a throwaway cluster; the server itself runs with fsync=on.
    const init = runPg('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}${init.stdout}`);
    let lastError = '';
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const options = `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=${dir} -c fsync=on -c synchronous_commit=on -c max_connections=200`;
      const start = (): SpawnSyncReturns<string> => runPg('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '30', '-o', options, 'start']);
      const started = start();
      const pause = (): void => {
        const r = runPg('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
        if (r.status !== 0) throw new Error(`pg_ctl stop failed: ${r.stderr}${r.stdout}`);
      };
      const resume = (): void => {
        const r = start();
        if (r.status !== 0) throw new Error(`pg_ctl start failed: ${r.stderr}${r.stdout}`);
      };
      if (started.status === 0) return cluster(port, { pause, resume, stop, freeze: () => signalServer(data, 'SIGSTOP'), thaw: () => signalServer(data, 'SIGCONT') });
      lastError = `${started.stderr}${started.stdout}`;
    }
    throw new Error(`pg_ctl start failed: ${lastError}`);
  } catch (e) {
    stop();
    throw e;
  }
}

/** Sends `signal` to the postmaster of `data` (its pid is postmaster.pid's first line) and to each of its children. */
function signalServer(data: string, signal: 'SIGSTOP' | 'SIGCONT'): void {
  const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  if (!Number.isInteger(postmaster) || postmaster <= 1) throw new Error(`no postmaster pid in ${data}`);
  const children = (): number[] => spawnSync('ps', ['-o', 'pid=', '--ppid', String(postmaster)], { encoding: 'utf8' }).stdout.split('\n').map((l) => Number(l.trim())).filter((p) => Number.isInteger(p) && p > 1);
  // The postmaster is stopped before its children are listed (it forks no new backend meanwhile), and continued after them.
  if (signal === 'SIGSTOP') process.kill(postmaster, signal);
  for (const pid of children()) process.kill(pid, signal);
  if (signal === 'SIGCONT') process.kill(postmaster, signal);
}

function cluster(port: number, control: Pick<PostgresCluster, 'pause' | 'resume' | 'stop' | 'freeze' | 'thaw'>): PostgresCluster {
  const url = (database: string): string => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    async createDatabase(template?: string): Promise<string> {
      const name = `arca_test_${process.pid}_${++databases}`;
      const admin = new pg.Client({ connectionString: url('postgres') });
      await admin.connect();
      try {
        // Identifiers cannot be parameters: both names are made here from [a-z0-9_] only.
        await admin.query(`CREATE DATABASE ${name}${template === undefined ? '' : ` TEMPLATE ${template}`}`);
      } finally {
        await admin.end();
      }
      return name;
    },
    ...control,
  };
}

/**
 * A describe block that gets a running cluster: skipped with the reason when PostgreSQL is missing (and
 * CI is not set), failed when CI=true, as the SoftHSM and AWS CLI tests do.
 */
export function describeWithPostgres(name: string, body: (cluster: () => PostgresCluster) => void): void {
  const missing = postgresMissing();
  if (missing !== undefined) {
    if (process.env['CI'] === 'true') {
      describe(name, () => it('needs PostgreSQL', () => assert.fail(`CI=true: ${missing}`)));
    } else {
      console.error(`skipping "${name}": ${missing}`);
      describe(name, { skip: missing }, () => undefined);
    }
    return;
  }
  describe(name, () => {
    let running: PostgresCluster | undefined;
    before(async () => {
      running = await startPostgres();
    });
    body(() => {
      if (running === undefined) throw new Error('PostgreSQL cluster not started');
      return running;
    });
    // Registered after the body's hooks, so it runs after them: the body closes its clients first.
    after(() => running?.stop());
  });
}
