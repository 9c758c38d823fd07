import type { Clock } from '../core/ports.js';
import type { JobPoint } from '../service/pipeline/deps.js';
import { systemClock } from './clock.js';

const JOB_POINTS: readonly JobPoint[] = ['rotation:before-commit', 'rotation:after-commit', 'deletion:before-commit', 'deletion:after-commit'];

/**
 * INSECURE, TEST-ONLY hooks for the crash-safety tests of the key-lifecycle scheduler, read from the
 * environment of `arca dev` only (never the production server):
 * - `ARCA_INSECURE_TEST_CLOCK_OFFSET_MS`: the server's clock runs this far ahead of the system clock,
 *   so that due rotations and deletions can be reached in a child process;
 * - `ARCA_INSECURE_TEST_PAUSE_JOB_AT=<point>`: a lifecycle job stops forever at that point (after
 *   printing `insecure-test-hook: paused at <point>` on stderr), so a test can SIGKILL the process there.
 * Both print a loud warning when set.
 */
export function insecureTestHooks(): { clock?: Clock; insecureTestJobPause?: (point: JobPoint) => Promise<void> } {
  const out: { clock?: Clock; insecureTestJobPause?: (point: JobPoint) => Promise<void> } = {};
  const offset = process.env['ARCA_INSECURE_TEST_CLOCK_OFFSET_MS'];
  if (offset !== undefined && offset !== '') {
    const ms = Number(offset);
    if (!Number.isFinite(ms)) throw new Error(`ARCA_INSECURE_TEST_CLOCK_OFFSET_MS must be a number, not '${offset}'`);
    process.stderr.write(`WARNING: insecure test hook: the clock is offset by ${ms} ms\n`);
    out.clock = { now: () => new Date(systemClock.now().getTime() + ms) };
  }
  const pauseAt = process.env['ARCA_INSECURE_TEST_PAUSE_JOB_AT'];
  if (pauseAt !== undefined && pauseAt !== '') {
    const point = JOB_POINTS.find((p) => p === pauseAt);
    if (point === undefined) throw new Error(`ARCA_INSECURE_TEST_PAUSE_JOB_AT must be one of ${JOB_POINTS.join(', ')}`);
    process.stderr.write(`WARNING: insecure test hook: lifecycle jobs pause at ${point}\n`);
    out.insecureTestJobPause = async (p) => {
      if (p !== point) return;
      process.stderr.write(`insecure-test-hook: paused at ${p}\n`);
      await new Promise<never>(() => setInterval(() => undefined, 1 << 30));
    };
  }
  return out;
}
