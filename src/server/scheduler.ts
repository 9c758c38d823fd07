import type { Logger } from '../core/ports.js';
import { runDueJobs, sweepCachedMaterial, type JobDeps, type JobRun } from '../service/keys/lifecycle/lifecycle.js';

/** Default period between two runs of the lifecycle jobs. */
export const DEFAULT_SCHEDULER_INTERVAL_MS = 60_000;

/**
 * `leader`: runs the lifecycle jobs and sweeps this process's material cache; `follower` (the worker
 * processes of `arca dev --workers`, whose primary process is the leader): only sweeps its cache.
 */
export type SchedulerRole = 'leader' | 'follower';

/**
 * Runs the key-lifecycle jobs (due automatic rotations, due destructions): once at start-up, which
 * catches up on everything that came due while the server was down, then every `intervalMs`. Runs never
 * overlap. Each job is idempotent and transactional (src/service/lifecycle.ts), so a crash at any point
 * is repaired by the next run.
 *
 * One node only: with several nodes sharing one database (PostgreSQL, later), only the leader, the
 * holder of an advisory lock, may run this; the jobs' guards (expected primary version, due-date checks
 * inside the transaction) keep even two concurrent runners from rotating twice or destroying twice.
 */
export class LifecycleScheduler {
  readonly #deps: JobDeps;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<JobRun> | undefined;

  constructor(deps: JobDeps) {
    this.#deps = deps;
    this.#logger = deps.logger;
  }

  /** Runs the due jobs now (or joins the run in progress) and resolves with what it did. */
  runNow(): Promise<JobRun> {
    this.#running ??= runDueJobs(this.#deps).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Starts the periodic runs (the timer does not keep the process alive). */
  start(intervalMs: number, role: SchedulerRole = 'leader'): void {
    if (this.#timer !== undefined || intervalMs <= 0) return;
    this.#timer = setInterval(() => {
      if (!this.#deps.hierarchy.isOpen) return;
      const run = role === 'leader' ? this.runNow().then(() => sweepCachedMaterial(this.#deps)) : sweepCachedMaterial(this.#deps);
      run.catch((e: unknown) => this.#logger.error('lifecycle jobs failed; retrying at the next run', { error: String(e) }));
    }, intervalMs);
    this.#timer.unref();
  }

  /** Stops the periodic runs and waits for a run in progress. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }
}
