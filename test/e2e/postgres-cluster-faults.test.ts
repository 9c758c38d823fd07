/**
 * Issue 14, fault tests: two `arca server` nodes as REAL processes (loopback, TLS off, each its own data
 * dir) on one throwaway PostgreSQL, under a mixed AWS SDK load from this process against both. Every
 * acknowledged write is recorded and checked after each fault:
 * - kill -9 of the scheduler leader: the survivor keeps serving, nothing acknowledged is lost, and the
 *   survivor takes the leadership (the time is printed);
 * - PostgreSQL stopped for 5 s: every request fails closed (503 KMSInternalException, promptly), /readyz
 *   answers 503, both nodes recover by themselves (the time is printed), nothing acknowledged is lost,
 *   and neither process crashed.
 * Every wait is bounded; every process is SIGKILLed in `after`, also when a test fails.
 */
import { DisableKeyCommand, EncryptCommand } from '@aws-sdk/client-kms';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { callOperation, type ClientConfig } from '../../src/cli/client.js';
import { crashLines, initializeThrough, killAllArcaProcesses, startArcaProcess, unsealProcess, type ArcaProcess } from '../helpers/arca-process.js';
import { expectKmsError } from '../helpers/kms-client.js';
import { faultClient, KmsLoad, lostWrites, summarize, type AckedWrites } from '../helpers/kms-load.js';
import { describeWithPostgres } from '../helpers/postgres.js';
import { removeDir, tempDataDir } from '../helpers/server.js';

/** The pool's connection timeout in the nodes' config: no request may wait on the database longer (plus slack). */
const CONNECTION_TIMEOUT_MS = 1000;
const TICK_SECONDS = 1;

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** Polls `check` every `everyMs` until it answers true; fails after `timeoutMs` with `what`. */
async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (await check().catch(() => false)) return performance.now() - start;
    if (performance.now() - start > timeoutMs) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

interface NodeView {
  Name: string;
  Status: string;
  Sealed: boolean;
  Leader: boolean;
}

/** GET /readyz's status, or 0 when the node does not answer (within 5 s). */
async function readyz(node: ArcaProcess): Promise<number> {
  try {
    const res = await fetch(`${node.endpoint}/readyz`, { signal: AbortSignal.timeout(5000) });
    await res.text();
    return res.status;
  } catch {
    return 0;
  }
}

describeWithPostgres('cluster faults with real processes: kill -9 of the leader, PostgreSQL stopped (issue 14)', (cluster) => {
  const root = tempDataDir('arca-faults-');
  const nodes = new Map<string, ArcaProcess>();
  const acked: AckedWrites = new Map();
  let url: string;
  let shares: string[];
  let credentials: { accessKeyId: string; secretAccessKey: string };

  const admin = (node: ArcaProcess): ClientConfig => ({ endpoint: node.endpoint, region: 'us-east-1', credentials });
  const listNodes = async (via: ArcaProcess): Promise<NodeView[]> => (await callOperation(admin(via), 'ArcaService.ListClusterNodes', {}))['Nodes'] as NodeView[];
  const start = async (name: string): Promise<ArcaProcess> => {
    const dataDir = join(root, name);
    mkdirSync(dataDir, { recursive: true });
    const config = { storage: { type: 'postgres', url, pool: { connectionTimeoutMillis: CONNECTION_TIMEOUT_MS } }, nodeName: name, scheduler: { intervalSeconds: TICK_SECONDS } };
    const node = await startArcaProcess(name, dataDir, config);
    nodes.set(name, node);
    return node;
  };
  const node = (name: string): ArcaProcess => nodes.get(name) ?? assert.fail(`no node ${name}`);
  const noCrash = (n: ArcaProcess) => assert.deepEqual(crashLines(n.stderr()), [], `${n.name} printed a crash or a stack trace:\n${n.stderr()}`);

  before(async () => {
    url = cluster().url(await cluster().createDatabase());
    const [a, b] = await Promise.all([start('node-a'), start('node-b')]);
    ({ shares, credentials } = await initializeThrough(a, 3, 2));
    await unsealProcess(a, shares.slice(0, 2));
    await unsealProcess(b, shares.slice(1, 3));
    // Both nodes report themselves unsealed, and exactly one leads.
    await waitFor('both nodes up and unsealed, one leader', async () => {
      const list = await listNodes(a);
      return list.length === 2 && list.every((n) => n.Status === 'up' && !n.Sealed) && list.filter((n) => n.Leader).length === 1;
    }, 20_000, 200);
  });

  after(async () => {
    await killAllArcaProcesses();
    removeDir(root);
  });

  it('DisableKey on node A is refused on node B\'s next Encrypt (DisabledException)', async () => {
    const kmsA = faultClient(node('node-a').endpoint, credentials);
    const kmsB = faultClient(node('node-b').endpoint, credentials);
    try {
      const key = (await callOperation(admin(node('node-a')), 'TrentService.CreateKey', {}))['KeyMetadata'] as { KeyId: string };
      await kmsB.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('before') }));
      await kmsA.send(new DisableKeyCommand({ KeyId: key.KeyId }));
      await expectKmsError(kmsB.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('after') })), 'DisabledException', 400);
    } finally {
      kmsA.destroy();
      kmsB.destroy();
    }
  });

  it('kill -9 of the scheduler leader: the survivor keeps serving, loses nothing acknowledged, and takes the leadership', async () => {
    const leaderName = (await listNodes(node('node-a'))).find((n) => n.Leader)?.Name ?? assert.fail('no leader');
    const leader = node(leaderName);
    const survivor = node(leaderName === 'node-a' ? 'node-b' : 'node-a');
    const load = new KmsLoad([leader, survivor].map((n) => ({ name: n.name, endpoint: n.endpoint })), credentials, acked);
    load.start();
    try {
      await sleep(2000);
      const killedAt = performance.now();
      const killedAtWall = Date.now();
      await leader.kill();
      const failover = killedAt + (await waitFor('the survivor shown as leader by ListClusterNodes', async () => (await listNodes(survivor)).some((n) => n.Name === survivor.name && n.Leader), 30_000));
      // The JSON log lines (stdout): the survivor's "took the scheduler leader lease" after the kill.
      const lines = survivor.stdout().split('\n').flatMap((l) => {
        try {
          return [JSON.parse(l) as { time?: string; message?: string }];
        } catch {
          return [];
        }
      });
      const took = lines.find((l) => l.message?.startsWith('took the scheduler leader lease') === true && Date.parse(l.time ?? '') >= killedAtWall);
      const lockMs = took?.time === undefined ? undefined : Date.parse(took.time) - killedAtWall;
      await sleep(1000);
      await load.stop();
      const afterKill = load.outcomes.filter((o) => o.node === survivor.name && o.start >= killedAt);
      console.log(`FAULT kill -9 ${leader.name} (leader): lease taken by ${survivor.name} after ${lockMs ?? '?'} ms (its log), shown as leader by ListClusterNodes after ${Math.round(failover - killedAt)} ms; survivor answered ${afterKill.length} requests after the kill: ${JSON.stringify(summarize(afterKill))}; tick ${TICK_SECONDS} s`);
      assert.ok(afterKill.length > 10, 'the survivor was under load after the kill');
      const failed = load.outcomes.filter((o) => o.node === survivor.name && !o.ok);
      assert.deepEqual(failed, [], 'every request to the survivor succeeded, before and after the kill');
      assert.ok(lockMs !== undefined, `the survivor logged taking the lease:\n${survivor.stdout().slice(-5000)}`);
      const kms = faultClient(survivor.endpoint, credentials);
      try {
        assert.ok(acked.size > 5, `keys were acknowledged (${acked.size})`);
        assert.deepEqual(await lostWrites(kms, acked), [], 'every acknowledged write is there through the survivor');
      } finally {
        kms.destroy();
      }
      assert.equal(await leader.exited, 'SIGKILL');
      assert.ok(survivor.running());
      noCrash(survivor);
    } finally {
      await load.stop();
      load.destroy();
    }
    // The killed node comes back under its name (its claim died with its session) for the next test.
    const again = await start(leader.name);
    await unsealProcess(again, shares.slice(0, 2));
  });

  /**
   * An outage of PostgreSQL for `outageMs` under load, started by `down` and ended by `up`: every request
   * meanwhile fails closed; /readyz is 503; both nodes recover by themselves; nothing is lost. "Promptly" is
   * checked without a latency threshold: every request that began in the outage's first `earlyMs` has
   * ended before the database came back (a request that waited for the database would end after `up`).
   */
  const outage = async (label: string, stopDb: () => void, startDb: () => void, bounds: { readonly minDuring: number; readonly outageMs: number; readonly earlyMs: number }): Promise<void> => {
    const { outageMs } = bounds;
    const both = [node('node-a'), node('node-b')];
    const load = new KmsLoad(both.map((n) => ({ name: n.name, endpoint: n.endpoint })), credentials, acked);
    load.start();
    const probes: { node: string; status: number }[] = [];
    let down = 0;
    let up = 0;
    let recovery: number[] = [];
    let restartMs = 0;
    let restarted = false;
    try {
      await sleep(1500);
      stopDb();
      down = performance.now();
      const probing = (async () => {
        // Readiness turns 503 at the first failed write: probe from the moment each node has failed one.
        const failed = (n: ArcaProcess) => load.outcomes.some((o) => o.node === n.name && !o.ok && o.start >= down);
        while (performance.now() - down < outageMs - 300) {
          for (const n of both) if (failed(n)) probes.push({ node: n.name, status: await readyz(n) });
          await sleep(100);
        }
      })();
      await sleep(outageMs);
      await probing;
      up = performance.now();
      restarted = true;
      startDb();
      const resumed = performance.now();
      restartMs = resumed - up;
      // Recovery: a write (CreateKey) succeeds again on each node and /readyz says ready, with no help.
      recovery = await Promise.all(both.map(async (n) => {
        const kms = faultClient(n.endpoint, credentials);
        try {
          await waitFor(`${n.name} serves writes again (${n.running() ? 'running' : `exited:\n${n.stderr().slice(-3000)}`})`, async () => ((await kms.send(new EncryptCommand({ KeyId: [...acked.keys()][0] ?? '', Plaintext: Buffer.from('x') }))), true), 30_000, 100);
          await waitFor(`${n.name} /readyz 200`, async () => (await readyz(n)) === 200, 30_000, 100);
          return performance.now() - resumed;
        } finally {
          kms.destroy();
        }
      }));
      await sleep(1000);
    } finally {
      if (!restarted) startDb();
      await load.stop();
      load.destroy();
    }
    for (const n of both) assert.ok(n.running(), `${n.name} still runs:\n${n.stderr()}`);
    const during = load.between(down, up);
    if (process.env['FAULT_DEBUG']) console.log(load.outcomes.filter((o) => o.end > down && o.start < up).map((o) => `${o.node} ${o.op} +${Math.round(o.start - down)} ${Math.round(o.end - o.start)}ms ${o.ok ? 'ok' : o.error}`).join('\n'));
    const failedClosed = during.filter((o) => !o.ok && o.error === 'KMSInternalException' && o.status === 503);
    // Every request that overlapped the outage, also those that started before it or ended after it.
    const slowest = Math.max(...load.outcomes.filter((o) => o.end > down && o.start < up).map((o) => o.end - o.start));
    const lastFailure = Math.max(...load.outcomes.filter((o) => !o.ok).map((o) => o.end));
    console.log(`FAULT PostgreSQL ${label} ${outageMs} ms: ${during.length} requests during the outage, ${failedClosed.length} failed closed (503 KMSInternalException), slowest ${Math.round(slowest)} ms; PostgreSQL restart took ${Math.round(restartMs)} ms, then recovery (a request and /readyz 200 on each node) ${recovery.map((r) => `${Math.round(r)} ms`).join(' / ')} (node-a / node-b); last failed request ended ${Math.round(lastFailure - up)} ms after the restart began; all outcomes ${JSON.stringify(summarize(load.outcomes))}`);
    assert.ok(during.length >= bounds.minDuring, `the nodes were under load during the outage (${during.length})`);
    assert.deepEqual(during.filter((o) => o.ok), [], 'no request succeeded while PostgreSQL was stopped');
    assert.deepEqual(during.filter((o) => !(o.error === 'KMSInternalException' && o.status === 503)), [], 'every failure was a 503 KMSInternalException');
    const early = load.outcomes.filter((o) => o.start >= down && o.start < down + bounds.earlyMs);
    assert.ok(early.length > 0, 'requests began early in the outage');
    assert.deepEqual(early.filter((o) => o.end >= up).map((o) => `${o.node} ${o.op} +${Math.round(o.start - down)} ${Math.round(o.end - o.start)} ms`), [], `every request begun in the first ${bounds.earlyMs} ms ended before the database came back`);
    assert.ok(probes.length > 0 && probes.every((p) => p.status === 503), `/readyz answered 503 during the outage: ${JSON.stringify(probes)}`);
    const kms = faultClient(node('node-a').endpoint, credentials);
    try {
      assert.deepEqual(await lostWrites(kms, acked), [], 'every acknowledged write is there after the outage');
    } finally {
      kms.destroy();
    }
    for (const n of both) {
      assert.ok(n.running(), `${n.name} still runs:\n${n.stderr()}`);
      noCrash(n);
    }
  };

  it('PostgreSQL stopped for 5 s (connections refused): every request fails closed, /readyz 503, both nodes recover by themselves, nothing acknowledged is lost', async () => {
    // Refused connections fail at once: nothing begun in the first 2 s waits out the remaining 3 s.
    await outage('stopped', () => cluster().pause(), () => cluster().resume(), { minDuring: 20, outageMs: 5000, earlyMs: 2000 });
  });

  it('PostgreSQL frozen for 8 s (SIGSTOP: connections accepted, nothing answers): every request fails closed within a few statement timeouts, never hangs until it returns, /readyz 503, both nodes recover', async () => {
    // Each wait on the database is bounded by the timeout, and a request waits at most a few times in a row
    // (its reads, its unit of work queued behind another, its failure's audit write): never until the database returns.
    // With a 1 s timeout a request fails after about 3 s; one begun in the first 2 s has 6 s before the thaw.
    await outage('frozen', () => cluster().freeze(), () => cluster().thaw(), { minDuring: 3, outageMs: 8000, earlyMs: 2000 });
  });
});
