import { Agent, request as httpRequest } from 'node:http';
import type { PresignedRequest } from './signing.js';

export interface SequentialResult {
  readonly requests: number;
  readonly seconds: number;
  /** Percentiles in milliseconds, to the microsecond (autocannon rounds to whole milliseconds). */
  readonly p50ms: number;
  readonly p99ms: number;
}

/**
 * One keep-alive connection, one request at a time, with node:http (the lightest client at hand): the
 * latency an unloaded server gives, measured to the microsecond, for the "p50 at one connection" target.
 * Any non-2xx answer aborts.
 */
export async function sequentialLatency(endpoint: string, req: PresignedRequest, seconds: number): Promise<SequentialResult> {
  const url = new URL(req.path, endpoint);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const once = () =>
    new Promise<void>((resolve, reject) => {
      const r = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: req.method, headers: req.headers, agent }, (res) => {
        res.resume();
        res.on('end', () => ((res.statusCode ?? 0) < 300 ? resolve() : reject(new Error(`HTTP ${res.statusCode}: a benchmark of errors is not a benchmark`))));
      });
      r.on('error', reject);
      r.end(req.body);
    });
  try {
    for (let i = 0; i < 200; i++) await once(); // warm the connection and the server's code paths
    const latencies: number[] = [];
    const started = performance.now();
    const end = started + seconds * 1000;
    while (performance.now() < end) {
      const t = performance.now();
      await once();
      latencies.push(performance.now() - t);
    }
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => Math.round((latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN) * 1000) / 1000;
    return { requests: latencies.length, seconds: (performance.now() - started) / 1000, p50ms: pct(0.5), p99ms: pct(0.99) };
  } finally {
    agent.destroy();
  }
}
