import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KeyProvisioner, SealedKeyring } from '../core/custody.js';
import { AlwaysLeader, NeverLeader, type LeaderLease, type LeaseLostListener } from '../core/leadership.js';
import type { Logger } from '../core/ports.js';
import type { JobDeps } from '../service/keys/lifecycle/lifecycle.js';
import { at, keyId, keyRecord, keyVersion } from '../store/contract/fixture.js';
import { MemoryDatabase } from '../store/memory/memory-database.js';
import { memoryStores } from '../store/memory/memory-stores.js';
import { leaseForRole, LifecycleScheduler, watchLeadership } from './scheduler.js';

/** A lease the test grants and takes away by hand. */
class FakeLease implements LeaderLease {
  grantable = false;
  held = false;
  acquires = 0;
  releases = 0;
  readonly #listeners = new Set<LeaseLostListener>();

  acquire(): Promise<boolean> {
    this.acquires++;
    this.held = this.grantable;
    return Promise.resolve(this.held);
  }

  release(): Promise<void> {
    this.releases++;
    this.held = false;
    return Promise.resolve();
  }

  onLost(listener: LeaseLostListener): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** Another node took over: the lease is gone and stays gone until granted again. */
  lose(): void {
    this.grantable = false;
    this.held = false;
    for (const l of this.#listeners) l();
  }
}

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const TICK_MS = 5;

/** A memory store with `due` keys whose deletion is due, and the scheduler's dependencies over it. */
async function setUp(due: number, pause?: (keyCount: number) => Promise<void>) {
  const stores = memoryStores(new MemoryDatabase());
  await stores.keys.addDomainKey(1, Buffer.from('domain-key-1'));
  for (let n = 1; n <= due; n++) {
    await stores.keys.createKey(keyRecord({ id: keyId(n), state: 'PendingDeletion', deletionDate: at(1) }), keyVersion(keyId(n), 1), []);
  }
  const state = { open: true };
  const hierarchy: SealedKeyring = {
    get isOpen() {
      return state.open;
    },
    forgetKey: () => undefined,
    cachedKeyIds: () => [],
    wrap: () => Promise.reject(new Error('not used by deletions')),
    unwrap: () => Promise.reject(new Error('not used by deletions')),
  };
  const provisioner: KeyProvisioner = {
    prepareKey: () => Promise.reject(new Error('not used by deletions')),
    newVersion: () => Promise.reject(new Error('not used by deletions')),
  };
  let started = 0;
  const deps: JobDeps = {
    keys: stores.keys,
    hierarchy,
    provisioner,
    clock: { now: () => at(2) },
    realm: { partition: 'aws', region: 'us-east-1', account: '111122223333' },
    logger: silent,
    lifecycle: {
      store: stores.lifecycle,
      minRotationPeriodDays: 90,
      insecureTestPause: async (point) => {
        if (point === 'deletion:before-commit') await pause?.(++started);
      },
    },
  };
  const destroyed = async (): Promise<number> => {
    let n = 0;
    for (let k = 1; k <= due; k++) if ((await stores.lifecycle.getDestruction(keyId(k))) !== undefined) n++;
    return n;
  };
  return { deps, state, destroyed };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let waited = 0; !(await condition()); waited += TICK_MS) {
    if (waited > 5_000) assert.fail(`timed out waiting for ${what}`);
    await sleep(TICK_MS);
  }
}

describe('LifecycleScheduler with a leader lease', () => {
  it('runs the due jobs only while this node holds the lease, and asks for it at every tick', async () => {
    const { deps, destroyed } = await setUp(1);
    const lease = new FakeLease();
    const scheduler = new LifecycleScheduler(deps, lease);
    scheduler.start(TICK_MS);
    try {
      await until(() => lease.acquires >= 5, 'five ticks');
      assert.equal(await destroyed(), 0, 'a follower ran the jobs');
      lease.grantable = true;
      await until(async () => (await destroyed()) === 1, 'the new leader to run the due deletion');
      assert.equal(lease.held, true);
    } finally {
      await scheduler.stop();
    }
    assert.equal(lease.releases, 1, 'stop() releases the lease');
    assert.equal(lease.held, false);
  });

  it('a lease lost in the middle of a run stops it before the next job; the next holder finishes', async () => {
    const lease = new FakeLease();
    const { deps, destroyed } = await setUp(3, async (started) => {
      if (started === 1) lease.lose(); // another node took over while the first deletion was under way
    });
    const scheduler = new LifecycleScheduler(deps, lease);
    lease.grantable = true;
    const run = await scheduler.runIfLeader();
    assert.deepEqual(
      run?.destroyed.map((d) => d.keyId),
      [keyId(1)],
      'the job under way finishes, and no further job starts',
    );
    scheduler.start(TICK_MS);
    try {
      const before = lease.acquires;
      await until(() => lease.acquires >= before + 5, 'five ticks');
      assert.equal(await destroyed(), 1, 'a node that lost the lease went on running jobs');
      lease.grantable = true;
      await until(async () => (await destroyed()) === 3, 'the lease holder to run the remaining deletions');
    } finally {
      await scheduler.stop();
    }
  });

  it('runIfLeader runs nothing without the lease; runNow runs whoever holds it (tests, start-up catch-up)', async () => {
    const { deps, destroyed } = await setUp(1);
    const scheduler = new LifecycleScheduler(deps, new FakeLease());
    assert.equal(await scheduler.runIfLeader(), undefined);
    assert.equal(await destroyed(), 0);
    assert.equal((await scheduler.runNow()).destroyed.length, 1);
  });

  it('a sealed node gives the lease up, so that an unsealed node can run the jobs', async () => {
    const { deps, state, destroyed } = await setUp(1);
    const lease = new FakeLease();
    lease.grantable = true;
    state.open = false;
    await lease.acquire();
    const scheduler = new LifecycleScheduler(deps, lease);
    scheduler.start(TICK_MS);
    try {
      await until(() => lease.releases >= 1, 'the sealed node to release the lease');
      assert.equal(lease.held, false);
      assert.equal(await destroyed(), 0);
      state.open = true;
      await until(async () => (await destroyed()) === 1, 'the unsealed node to lead again');
    } finally {
      await scheduler.stop();
    }
  });

  it('fixed roles: a single node always leads, a dev worker never does', async () => {
    assert.ok(leaseForRole('leader') instanceof AlwaysLeader);
    assert.ok(leaseForRole('follower') instanceof NeverLeader);
    const leader = new AlwaysLeader();
    assert.equal(leader.held, false);
    assert.equal(await leader.acquire(), true);
    assert.equal(leader.held, true);
    await leader.release();
    assert.equal(leader.held, false);
    const worker = new NeverLeader();
    assert.equal(await worker.acquire(), false);
    assert.equal(worker.held, false);

    const { deps, destroyed } = await setUp(1);
    const scheduler = new LifecycleScheduler(deps, leaseForRole('follower'));
    scheduler.start(TICK_MS);
    await sleep(10 * TICK_MS);
    await scheduler.stop();
    assert.equal(await destroyed(), 0, 'a dev worker ran the jobs');
  });
});

describe('watchLeadership', () => {
  it('reports each change of leadership once: taken, lost, taken again, released', async () => {
    const inner = new FakeLease();
    const changes: boolean[] = [];
    const lease = watchLeadership(inner, (held) => changes.push(held));
    assert.equal(await lease.acquire(), false);
    inner.grantable = true;
    assert.equal(await lease.acquire(), true);
    assert.equal(await lease.acquire(), true);
    assert.equal(lease.held, true);
    inner.lose();
    inner.grantable = true;
    await lease.acquire();
    await lease.release();
    await lease.release();
    assert.deepEqual(changes, [true, false, true, false]);
  });
});
