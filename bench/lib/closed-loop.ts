export interface ClosedLoopResult {
  /** Calls that succeeded (their latencies are the percentiles). */
  readonly requests: number;
  readonly errors: number;
  readonly seconds: number;
  readonly p50ms: number;
  readonly p99ms: number;
}

/**
 * A closed-loop load: `connections` callers, each repeating `call` as soon as the previous one answered,
 * until `seconds` have passed. Failed calls are counted, not timed; the caller decides whether they abort.
 */
export async function closedLoop(call: () => Promise<unknown>, connections: number, seconds: number): Promise<ClosedLoopResult> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        try {
          await call();
          latencies.push(performance.now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { requests: latencies.length, errors, seconds: elapsed, p50ms: pct(0.5), p99ms: pct(0.99) };
}
