import type { PresignedRequest } from './signing.js';

export interface FetchLoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly p50ms: number;
  readonly p99ms: number;
  readonly errors: number;
}

/**
 * A plain keep-alive `fetch` loop: `connections` concurrent callers replaying `request` for `seconds`.
 * Used where autocannon cannot drive a server faithfully (moto_server's Python server closes
 * connections in a way autocannon turns into a trickle of ~10 requests/s), and for the same-client
 * comparison with Arca.
 */
export async function fetchLoad(endpoint: string, request: PresignedRequest, connections: number, seconds: number): Promise<FetchLoadResult> {
  const { host: _host, ...headers } = request.headers;
  const url = new URL(request.path, endpoint);
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        try {
          const res = await fetch(url, { method: 'POST', headers, body: request.body });
          await res.arrayBuffer();
          if (res.ok) latencies.push(performance.now() - t);
          else errors++;
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Math.round((latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN) * 10) / 10;
  return { requests: latencies.length, seconds: elapsed, p50ms: pct(0.5), p99ms: pct(0.99), errors };
}
