import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { it } from 'node:test';
import pg from 'pg';
import { describeWithPostgres } from '../../../test/helpers/postgres.js';
import type { Logger } from '../../core/ports.js';
import { LEADER_LOCK, PostgresLeaderLease, type LeaseSessionTimeouts } from './postgres-leader-lease.js';

/** The scheduler's tick in these tests: each node tries the lease this often. */
const TICK_MS = 200;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A logger that keeps what it was told. */
function recordingLogger() {
  const lines: { level: string; message: string }[] = [];
  const log = (level: string) => (message: string) => void lines.push({ level, message });
  const logger: Logger = { debug: () => undefined, info: log('info'), warn: log('warn'), error: log('error') };
  return { logger, lines, count: (part: string) => lines.filter((l) => l.message.includes(part)).length };
}

/** Calls acquire() on every lease each tick, as the nodes' schedulers do, until stopped. */
function tickEvery(leases: readonly PostgresLeaderLease[]) {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await Promise.all(leases.map((l) => l.acquire()));
      await sleep(TICK_MS);
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}

async function until(condition: () => boolean, what: string, limitMs = 10_000): Promise<number> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > limitMs) assert.fail(`not within ${limitMs} ms: ${what}`);
    await sleep(10);
  }
  return performance.now() - start;
}

describeWithPostgres('PostgresLeaderLease: one scheduler leader per database', (cluster) => {
  const nodes = async (n: number, timeouts: LeaseSessionTimeouts = {}, connectionTimeoutMillis?: number) => {
    const url = cluster().url(await cluster().createDatabase());
    const logs = Array.from({ length: n }, () => recordingLogger());
    const database = { url, pool: { connectionTimeoutMillis } };
    const leases = logs.map(({ logger }) => new PostgresLeaderLease({ database, logger, ...timeouts }));
    const admin = new pg.Client({ connectionString: url });
    admin.on('error', () => undefined); // the server-stop test ends this session too
    await admin.connect();
    /** The backend pid that holds the leader lock in this database, if any. */
    const holderPid = async (): Promise<number | undefined> => {
      const sql = "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objid = $2 AND objsubid = 2 AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";
      return (await admin.query<{ pid: number }>(sql, [...LEADER_LOCK])).rows[0]?.pid;
    };
    const close = async () => {
      await Promise.all(leases.map((l) => l.release()));
      await admin.end().catch(() => undefined);
    };
    return { url, leases, logs, admin, holderPid, close };
  };

  it('exactly one of two nodes holds the lease; a holder keeps it, the other keeps being refused', async () => {
    const { leases, holderPid, close } = await nodes(2);
    const [a, b] = leases as [PostgresLeaderLease, PostgresLeaderLease];
    try {
      const first = await Promise.all([a.acquire(), b.acquire()]);
      assert.deepEqual([...first].sort(), [false, true], 'exactly one node holds it');
      const [holder, other] = first[0] ? [a, b] : [b, a];
      assert.equal(holder.held, true);
      assert.equal(other.held, false);
      for (let i = 0; i < 3; i++) assert.deepEqual(await Promise.all([holder.acquire(), other.acquire()]), [true, false]);
      assert.notEqual(await holderPid(), undefined);
    } finally {
      await close();
    }
  });

  it('release: the other node takes the lease at its next try', async () => {
    const { leases, logs, holderPid, close } = await nodes(2);
    const [a, b] = leases as [PostgresLeaderLease, PostgresLeaderLease];
    try {
      assert.equal(await a.acquire(), true);
      assert.equal(await b.acquire(), false);
      await a.release();
      assert.equal(a.held, false);
      assert.equal(await holderPid(), undefined, 'release unlocked');
      assert.equal(await b.acquire(), true);
      assert.equal(await a.acquire(), false, 'a released node reconnects and is refused while the other leads');
      assert.equal(logs[0]?.count('lost'), 0, 'a release is not a loss');
    } finally {
      await close();
    }
  });

  it("the holder's session is killed (its node died): the holder notices, and the other node takes over within a tick", async () => {
    const { leases, logs, admin, holderPid, close } = await nodes(2);
    const [a, b] = leases as [PostgresLeaderLease, PostgresLeaderLease];
    let lost = 0;
    a.onLost(() => lost++);
    assert.equal(await a.acquire(), true);
    const stopTicking = tickEvery([a, b]);
    try {
      await sleep(2.5 * TICK_MS); // half-way between two ticks: the takeover waits for the other node's next tick
      assert.equal(b.held, false);
      const pid = await holderPid();
      const killedAt = performance.now();
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      await until(() => !a.held, 'the holder to notice');
      await until(() => b.held, 'the other node to take over');
      const takeover = performance.now() - killedAt;
      console.log(`leader takeover after the holder's session was killed: ${takeover.toFixed(0)} ms (tick ${TICK_MS} ms)`);
      assert.ok(takeover < 10_000);
      assert.equal(lost, 1, 'onLost called once');
      assert.equal(logs[0]?.count('lost the scheduler leader lease'), 1, 'the loss is logged once');
      assert.equal(a.held, false, 'the old holder does not get the lease back while the new one lives');
      assert.notEqual(await holderPid(), pid, 'the new holder is another session');
    } finally {
      await stopTicking();
      await close();
    }
  });

  it('the holder process is killed (SIGKILL): PostgreSQL frees the lock with its socket, and the other node takes over within a tick', async () => {
    const { url, leases, close } = await nodes(1);
    const [b] = leases as [PostgresLeaderLease];
    const module = new URL('./postgres-leader-lease.js', import.meta.url).href;
    const script = `const { PostgresLeaderLease } = await import(${JSON.stringify(module)});
      const quiet = { info() {}, warn() {}, error() {} };
      const lease = new PostgresLeaderLease({ database: { url: process.env.LEASE_URL }, logger: quiet });
      console.log(String(await lease.acquire()));
      setInterval(() => void lease.acquire(), ${TICK_MS});`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, LEASE_URL: url }, stdio: ['ignore', 'pipe', 'inherit'] });
    let stopTicking = async (): Promise<void> => undefined;
    try {
      const [first] = (await once(child.stdout, 'data')) as [Buffer];
      assert.equal(first.toString().trim(), 'true', 'the child process took the lease');
      stopTicking = tickEvery([b]);
      await sleep(2.5 * TICK_MS);
      assert.equal(b.held, false, 'taken while the child process holds it');
      const killedAt = performance.now();
      child.kill('SIGKILL');
      await until(() => b.held, 'the other node to take over');
      const takeover = performance.now() - killedAt;
      console.log(`leader takeover after the holder process was SIGKILLed: ${takeover.toFixed(0)} ms (tick ${TICK_MS} ms)`);
      assert.ok(takeover < 10_000);
    } finally {
      child.kill('SIGKILL');
      await stopTicking();
      await close();
    }
  });

  it('a holder whose database stops answering steps down within the connection timeout; its lock goes when its session does', async () => {
    const { leases, logs, holderPid, close } = await nodes(2, {}, 500);
    const [a, b] = leases as [PostgresLeaderLease, PostgresLeaderLease];
    let lost = 0;
    a.onLost(() => lost++);
    assert.equal(await a.acquire(), true);
    const pid = await holderPid();
    assert.ok(pid !== undefined);
    // The holder's backend freezes (a partition, a hung server): it answers nothing and closes nothing.
    process.kill(pid, 'SIGSTOP');
    try {
      const start = performance.now();
      assert.equal(await a.acquire(), false, 'a holder that cannot confirm its lock must not go on leading');
      const waited = performance.now() - start;
      console.log(`holder stepped down after ${waited.toFixed(0)} ms without an answer (connection timeout 500 ms)`);
      assert.ok(waited >= 450 && waited < 5_000);
      assert.equal(a.held, false);
      assert.equal(lost, 1);
      assert.equal(logs[0]?.count('lost the scheduler leader lease'), 1);
      assert.equal(await b.acquire(), false, 'PostgreSQL still holds the lock for the frozen session');
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    // The backend wakes up to a closed socket and exits, which frees the lock.
    try {
      for (let i = 0; i < 50 && !(await b.acquire()); i++) await sleep(TICK_MS);
      assert.equal(b.held, true, 'the lock is freed once the frozen session ends');
    } finally {
      await close();
    }
  });

  it('a holder silent for longer than idle_session_timeout loses its session, and the other node takes over (the bound that needs no network)', async () => {
    const { leases, logs, close } = await nodes(2, { idleSessionTimeoutMillis: 600 });
    const [a, b] = leases as [PostgresLeaderLease, PostgresLeaderLease];
    try {
      assert.equal(await a.acquire(), true);
      for (let i = 0; i < 3; i++) {
        await sleep(2 * TICK_MS);
        assert.equal(await a.acquire(), true, 'a holder that ticks within the timeout keeps the lease');
      }
      assert.equal(logs[0]?.count('lost the scheduler leader lease'), 0, 'kept the same session for longer than the timeout');
      const silentFrom = performance.now();
      // a stops ticking (its host froze or vanished); only b tries.
      const stopTicking = tickEvery([b]);
      try {
        await until(() => b.held, 'the other node to take over');
        const takeover = performance.now() - silentFrom;
        console.log(`leader takeover after the holder went silent, idle_session_timeout 600 ms: ${takeover.toFixed(0)} ms (tick ${TICK_MS} ms)`);
        assert.ok(takeover >= 600, 'taken over before the timeout');
        assert.equal(a.held, false, 'the silent holder noticed its session ended');
        assert.equal(logs[0]?.count('lost the scheduler leader lease'), 1);
      } finally {
        await stopTicking();
      }
    } finally {
      await close();
    }
  });

  it('the server stops: the lease is not held and acquire() answers false; when it is back, a node leads again', async () => {
    const { leases, logs, close } = await nodes(1);
    const [a] = leases as [PostgresLeaderLease];
    let lost = 0;
    a.onLost(() => lost++);
    try {
      assert.equal(await a.acquire(), true);
      cluster().pause();
      try {
        await until(() => !a.held, 'the holder to notice the server went away');
        assert.equal(lost, 1);
        assert.equal(await a.acquire(), false);
        assert.equal(await a.acquire(), false);
        assert.equal(logs[0]?.count('cannot reach PostgreSQL'), 1, 'an outage is logged once, not at every tick');
      } finally {
        cluster().resume();
      }
      assert.equal(await a.acquire(), true, 'leads again once the server is back');
      assert.equal(logs[0]?.count('reaches PostgreSQL again'), 1);
    } finally {
      await close();
    }
  });
});
