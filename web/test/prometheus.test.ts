import { describe, expect, it } from 'vitest';
import { KmsError } from '../../src/core/errors';
import { ServerMetrics } from '../../src/server/metrics';
import { formatSeconds, formatUptime, histogramQuantile, parsePrometheus, summarizeMetrics } from '../src/lib/prometheus';

/** The exposition text of the server's own metrics (src/server/metrics.ts) after a few requests. */
async function realExposition(): Promise<string> {
  const metrics = new ServerMetrics({
    auditSinkLag: () => [{ sink: 'file:/var/log/arca "main".jsonl', lag: 1 }],
    keyWatch: () => ({ rotationOverdue: 0, materialExpiringSoon: 0, nextMaterialExpiration: undefined }),
    readCache: undefined,
    pool: undefined,
    leader: () => true,
    storageHealthy: () => true,
    auditQueueDepth: () => 4,
    unsealed: () => true,
    keyCounts: () => [{ state: 'Enabled', spec: 'SYMMETRIC_DEFAULT', count: 2 }],
    throttledTotal: () => 0,
    now: () => Date.now(),
  });
  for (let i = 0; i < 3; i++) metrics.requestStarted()('Encrypt', undefined);
  metrics.requestStarted()('Decrypt', undefined);
  metrics.requestStarted()('Decrypt', new KmsError('InvalidCiphertext', 'tampered'));
  return (await metrics.scrape()).body;
}

describe('parsePrometheus on the server’s exposition text', () => {
  it('reads the request counters, the histogram, the gauges and escaped label values', async () => {
    const samples = parsePrometheus(await realExposition());
    const encrypt = samples.find((s) => s.name === 'arca_requests_total' && s.labels['operation'] === 'Encrypt');
    expect(encrypt).toEqual({ name: 'arca_requests_total', labels: { operation: 'Encrypt', outcome: 'success', error_code: '' }, value: 3 });
    const failed = samples.find((s) => s.name === 'arca_requests_total' && s.labels['outcome'] === 'failure');
    expect(failed?.labels['error_code']).toMatch(/InvalidCiphertext/);
    expect(samples.find((s) => s.name === 'arca_audit_sink_lag_events')?.labels['sink']).toBe('file:/var/log/arca "main".jsonl');
    const inf = samples.find((s) => s.name === 'arca_request_duration_seconds_bucket' && s.labels['operation'] === 'Decrypt' && s.labels['le'] === '+Inf');
    expect(inf?.value).toBe(2);
  });

  it('summarizes requests by operation and outcome, error rate, latency, audit queue, seal and uptime', async () => {
    const now = Date.now() / 1000;
    const sum = summarizeMetrics(parsePrometheus(await realExposition()), now + 60);
    expect(sum.operations).toEqual([
      { operation: 'Encrypt', success: 3, failure: 0 },
      { operation: 'Decrypt', success: 1, failure: 1 },
    ]);
    expect(sum.totalRequests).toBe(5);
    expect(sum.errorRate).toBeCloseTo(0.2);
    // Observed durations are real (tiny): the quantiles fall inside the histogram's range, p50 ≤ p99.
    expect(sum.p50Seconds).toBeGreaterThan(0);
    expect(sum.p50Seconds ?? Infinity).toBeLessThanOrEqual(sum.p99Seconds ?? 0);
    expect(sum.p99Seconds).toBeLessThanOrEqual(10);
    expect(sum.auditQueueDepth).toBe(4);
    expect(sum.sealed).toBe(false);
    // prom-client rounds process_start_time_seconds to the second: a minute later, 59.5 s at the least.
    expect(sum.uptimeSeconds).toBeGreaterThanOrEqual(59.5);
    expect(sum.uptimeSeconds).toBeLessThan(60 + process.uptime() + 1);
  });

  it('answers no rate and no latency before any request', () => {
    const sum = summarizeMetrics(parsePrometheus('# TYPE arca_sealed gauge\narca_sealed 1\n'), 0);
    expect(sum).toMatchObject({ totalRequests: 0, errorRate: undefined, p50Seconds: undefined, sealed: true, uptimeSeconds: undefined });
  });
});

describe('histogramQuantile', () => {
  const buckets = [
    { le: 0.1, count: 50 },
    { le: 0.5, count: 90 },
    { le: 1, count: 100 },
    { le: Infinity, count: 100 },
  ];
  it('interpolates within the bucket the rank falls in, as PromQL does', () => {
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.1);
    expect(histogramQuantile(0.7, buckets)).toBeCloseTo(0.3);
    expect(histogramQuantile(0.99, buckets)).toBeCloseTo(0.95);
    expect(histogramQuantile(0.25, buckets)).toBeCloseTo(0.05);
  });
  it('answers the highest finite bound for a rank in +Inf, and undefined without observations', () => {
    expect(histogramQuantile(0.99, [{ le: 1, count: 1 }, { le: Infinity, count: 10 }])).toBe(1);
    expect(histogramQuantile(0.5, [{ le: 1, count: 0 }, { le: Infinity, count: 0 }])).toBeUndefined();
  });
});

describe('parsePrometheus edge cases', () => {
  it('takes timestamps, special values and escapes', () => {
    const s = parsePrometheus('a{x="q\\"\\\\\\n"} +Inf 1700000000000\nb NaN\nc -Inf\n\n# HELP c x\n');
    expect(s[0]).toEqual({ name: 'a', labels: { x: 'q"\\\n' }, value: Infinity });
    expect(Number.isNaN(s[1]?.value)).toBe(true);
    expect(s[2]?.value).toBe(-Infinity);
  });
  it('refuses a broken line rather than guessing', () => {
    expect(() => parsePrometheus('a{x="1} 2')).toThrow();
    expect(() => parsePrometheus('a')).toThrow();
  });
  it('formats durations and uptimes for people', () => {
    expect(formatSeconds(0.0004)).toBe('400 µs');
    expect(formatSeconds(0.0125)).toBe('12.5 ms');
    expect(formatUptime(90061)).toBe('1 d 1 h');
    expect(formatUptime(42)).toBe('42 s');
  });
});
