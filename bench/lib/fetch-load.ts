import { closedLoop, type ClosedLoopResult } from './closed-loop.js';
import type { PresignedRequest } from './signing.js';

/**
 * A plain keep-alive `fetch` loop: `connections` concurrent callers replaying `request` for `seconds`.
 * Used where autocannon cannot drive a server faithfully (moto_server's Python server closes
 * connections in a way autocannon turns into a trickle of ~10 requests/s), and for the same-client
 * comparison with Arca. A non-2xx answer counts as an error.
 */
export async function fetchLoad(endpoint: string, request: PresignedRequest, connections: number, seconds: number): Promise<ClosedLoopResult> {
  const { host: _host, ...headers } = request.headers;
  const url = new URL(request.path, endpoint);
  const r = await closedLoop(
    async () => {
      const res = await fetch(url, { method: 'POST', headers, body: request.body });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    },
    connections,
    seconds,
  );
  const tenth = (ms: number) => Math.round(ms * 10) / 10;
  return { ...r, p50ms: tenth(r.p50ms), p99ms: tenth(r.p99ms) };
}
