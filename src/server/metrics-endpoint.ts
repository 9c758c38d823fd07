import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { EndpointResponse, HttpEndpoint } from './http-server.js';
import type { ServerMetrics } from './metrics.js';

/** The path Prometheus scrapes, on the main listener or on the metrics listener. */
export const METRICS_PATH = '/metrics';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * `GET /metrics`: the exposition text, or 401 without the bearer token when one is configured. The
 * token is compared in constant time (over digests, so its length is not told either).
 */
export function metricsEndpoint(metrics: ServerMetrics, bearerToken: string | undefined): HttpEndpoint {
  const expected = bearerToken === undefined ? undefined : digest(`Bearer ${bearerToken}`);
  return {
    path: METRICS_PATH,
    async answer(req): Promise<EndpointResponse> {
      if (expected !== undefined && !timingSafeEqual(digest(req.headers.authorization ?? ''), expected)) {
        return { status: 401, headers: { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer realm="arca-metrics"' }, body: 'A bearer token is required.\n' };
      }
      const { contentType, body } = await metrics.scrape();
      return { status: 200, headers: { 'content-type': contentType }, body };
    },
  };
}

/**
 * The separate metrics listener (`metrics.listen`): plain HTTP serving only `endpoint`, so that
 * Prometheus can scrape from a network the service's own listener is not exposed to.
 */
export function createMetricsServer(endpoint: HttpEndpoint): Server {
  const server = createServer({ headersTimeout: 10_000, requestTimeout: 30_000 }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    req.resume();
    if (req.method !== 'GET' || path !== endpoint.path) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found.\n');
      return;
    }
    void endpoint.answer(req).then(
      (r) => res.writeHead(r.status, { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) }).end(r.body),
      () => res.writeHead(500).end(),
    );
  });
  return server;
}
