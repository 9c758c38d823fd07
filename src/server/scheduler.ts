import { AlwaysLeader, NeverLeader, type LeaderLease } from '../core/leadership.js';
import type { Logger } from '../core/ports.js';
import { runDueJobs, sweepCachedMaterial, type JobDeps, type JobRun } from '../service/keys/lifecycle/lifecycle.js';

/** Default period between two runs of the lifecycle jobs. */
export const DEFAULT_SCHEDULER_INTERVAL_MS = 60_000;

/**
 * `leader`: runs the lifecycle jobs and sweeps this process's material cache; `follower` (the worker
 * processes of `arca dev --workers`, whose primary process is the leader): only sweeps its cache.
 */
export type SchedulerRole = 'leader' | 'follower';

/** The lease of a node whose role is fixed (one node on SQLite or memory, or a dev worker process). */
export function leaseForRole(role: SchedulerRole): LeaderLease {
  return role === 'leader' ? new AlwaysLeader() : new NeverLeader();
}

/**
 * `lease`, calling `onChange(held)` each time this node takes or loses it (an acquire() that changed it,
 * a loss, a release): the composition reports the change at once (a heartbeat), so `arca operator
 * status` shows a new leader about one tick after the old one died, not one heartbeat later.
 */
export function watchLeadership(lease: LeaderLease, onChange: (held: boolean) => void): LeaderLease {
  let last = lease.held;
  const check = (): void => {
    if (lease.held === last) return;
    last = lease.held;
    onChange(last);
  };
  lease.onLost(check);
  return {
    async acquire() {
      const held = await lease.acquire();
      check();
      return held;
    },
    get held() {
      return lease.held;
    },
    async release() {
      await lease.release();
      check();
    },
    onLost: (listener) => lease.onLost(listener),
  };
}

/**
 * Runs the key-lifecycle jobs (due automatic rotations, due destructions, expired imported material):
 * once at start-up, which catches up on everything that came due while the server was down, then every
 * `intervalMs`. Runs never overlap. Each job is idempotent and transactional
 * (src/service/keys/lifecycle/lifecycle.ts), so a crash at any point is repaired by the next run.
 *
 * Leadership (ADR 0015): each tick first asks the {@link LeaderLease}; only its holder runs the jobs, and
 * every node sweeps its own material cache. With several nodes on one PostgreSQL database the lease is a
 * session advisory lock, so a dead leader's lease passes to the next node that ticks. A lease lost during
 * a run stops it before the next job. The lease is not what keeps the jobs correct: their guards
 * (expected primary version, due-date checks inside the transaction) keep even two concurrent runners from
 * rotating twice or destroying twice.
 */
export class LifecycleScheduler {
  readonly #deps: JobDeps;
  readonly #logger: Logger;
  readonly #lease: LeaderLease;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<JobRun> | undefined;
  #ticking: Promise<void> | undefined;
  #abort: AbortController | undefined;

  /** `lease` defaults to {@link AlwaysLeader}: a node alone on its store. */
  constructor(deps: JobDeps, lease: LeaderLease = new AlwaysLeader()) {
    this.#deps = deps;
    this.#logger = deps.logger;
    this.#lease = lease;
    lease.onLost(() => this.#abort?.abort());
  }

  /**
   * Runs the due jobs now, whoever holds the lease (or joins the run in progress), and resolves with
   * what it did: for tests, and for a caller that knows it leads. See {@link runIfLeader}.
   */
  runNow(): Promise<JobRun> {
    if (this.#running === undefined) {
      const abort = new AbortController();
      this.#abort = abort;
      this.#running = runDueJobs(this.#deps, abort.signal).finally(() => {
        this.#running = undefined;
        if (this.#abort === abort) this.#abort = undefined;
      });
    }
    return this.#running;
  }

  /** Takes (or confirms) the lease and, if this node holds it, runs the due jobs: the start-up catch-up of a cluster node. */
  async runIfLeader(): Promise<JobRun | undefined> {
    return (await this.#lease.acquire()) ? this.runNow() : undefined;
  }

  /** Starts the periodic ticks (the timer does not keep the process alive); a tick still running makes the next one skip. */
  start(intervalMs: number): void {
    if (this.#timer !== undefined || intervalMs <= 0) return;
    this.#timer = setInterval(() => {
      this.#ticking ??= this.#tick()
        .catch((e: unknown) => this.#logger.error('lifecycle jobs failed; retrying at the next run', { error: String(e) }))
        .finally(() => {
          this.#ticking = undefined;
        });
    }, intervalMs);
    this.#timer.unref();
  }

  /**
   * One tick: a sealed node gives the lease up (it cannot run the jobs, and must not keep an unsealed
   * node from running them); an unsealed one runs the jobs if it holds the lease, then sweeps its cache.
   */
  async #tick(): Promise<void> {
    if (!this.#deps.hierarchy.isOpen) {
      if (this.#lease.held) await this.#lease.release();
      return;
    }
    if (await this.#lease.acquire()) await this.runNow();
    await sweepCachedMaterial(this.#deps);
  }

  /** Stops the periodic ticks, waits for a run in progress, then releases the lease. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#ticking;
    await this.#running?.catch(() => undefined);
    await this.#lease.release();
  }
}
