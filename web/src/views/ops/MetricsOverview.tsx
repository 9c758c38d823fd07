import { useCallback, useEffect, useState } from 'react';
import { formatSeconds, formatUptime, parsePrometheus, summarizeMetrics, type MetricsSummary } from '../../lib/prometheus';

type Scrape = { state: 'loading' } | { state: 'ok'; summary: MetricsSummary } | { state: 'unavailable'; why: string };

/**
 * Reads `GET /metrics` on the console's origin (the CSP's connect-src 'self' allows it). It is not an
 * operation: it is shown only when served here without a token; otherwise the page says why not.
 */
async function scrape(signal: AbortSignal): Promise<Scrape> {
  let res: Response;
  try {
    res = await fetch(new URL('/metrics', window.location.origin), { signal, credentials: 'omit', cache: 'no-store' });
  } catch (e) {
    if (signal.aborted) throw e;
    return { state: 'unavailable', why: 'The metrics endpoint cannot be reached.' };
  }
  if (res.status === 401) return { state: 'unavailable', why: 'The metrics endpoint requires a bearer token (metrics.bearerToken): read it with Prometheus.' };
  if (res.status === 404) return { state: 'unavailable', why: 'Metrics are not served on this listener: they are off, or on a separate metrics listener.' };
  if (!res.ok) return { state: 'unavailable', why: `The metrics endpoint answered HTTP ${res.status}.` };
  try {
    return { state: 'ok', summary: summarizeMetrics(parsePrometheus(await res.text()), Date.now() / 1000) };
  } catch (e) {
    return { state: 'unavailable', why: `The metrics could not be read: ${e instanceof Error ? e.message : String(e)}` };
  }
}

export function MetricsOverview() {
  const [result, setResult] = useState<Scrape>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const ctl = new AbortController();
    scrape(ctl.signal).then(setResult, () => undefined);
    return () => ctl.abort();
  }, [tick]);
  const refresh = useCallback(() => setTick((t) => t + 1), []);
  return (
    <section aria-labelledby="metrics-title">
      <h2 id="metrics-title">Metrics</h2>
      <div className="actions">
        <button type="button" onClick={refresh}>Refresh metrics</button>
      </div>
      <div role="status">
        {result.state === 'loading' && <p>Loading metrics…</p>}
        {result.state === 'unavailable' && <p className="banner">{result.why}</p>}
        {result.state === 'ok' && <Summary s={result.summary} />}
      </div>
    </section>
  );
}

function Summary({ s }: { s: MetricsSummary }) {
  return (
    <>
      <ul className="stats" aria-label="Metrics overview">
        <li><span className="muted">Requests</span><span className="value" data-testid="metric-requests">{s.totalRequests}</span></li>
        <li><span className="muted">Error rate</span><span className="value">{s.errorRate === undefined ? '—' : `${(s.errorRate * 100).toFixed(1)} %`}</span></li>
        <li><span className="muted">Latency p50</span><span className="value">{formatSeconds(s.p50Seconds)}</span></li>
        <li><span className="muted">Latency p99</span><span className="value">{formatSeconds(s.p99Seconds)}</span></li>
        <li><span className="muted">Audit queue</span><span className="value">{s.auditQueueDepth ?? '—'}</span></li>
        <li><span className="muted">Uptime</span><span className="value">{formatUptime(s.uptimeSeconds)}</span></li>
      </ul>
      <p className="muted">Since the server started; latency over every operation, from the histogram buckets.</p>
      {s.operations.length > 0 && (
        <div className="table-wrap">
          <table aria-label="Requests by operation">
            <thead>
              <tr>
                <th scope="col">Operation</th>
                <th scope="col">Succeeded</th>
                <th scope="col">Failed</th>
              </tr>
            </thead>
            <tbody>
              {s.operations.map((o) => (
                <tr key={o.operation}>
                  <td>{o.operation}</td>
                  <td>{o.success}</td>
                  <td>{o.failure}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
