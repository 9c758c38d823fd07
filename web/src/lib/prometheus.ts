/**
 * The Prometheus text exposition format (version 0.0.4), parsed for the Status view's metrics overview:
 * the samples, then a summary of Arca's own series (docs/monitoring.md). Pure, so Vitest checks it
 * against the server's real exposition text.
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Reads a label set `{a="x",b="y\"z"}` starting at `text[at] === '{'`; answers the labels and the index after `}`. */
function readLabels(text: string, at: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = at + 1;
  for (;;) {
    while (text[i] === ' ' || text[i] === ',') i++;
    if (text[i] === '}') return { labels, end: i + 1 };
    const eq = text.indexOf('=', i);
    if (eq < 0 || text[eq + 1] !== '"') throw new Error(`bad label set: ${text}`);
    const name = text.slice(i, eq).trim();
    let value = '';
    let j = eq + 2;
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === '\\') {
        j++;
        value += text[j] === 'n' ? '\n' : (text[j] ?? '');
      } else value += text[j];
    }
    if (j >= text.length) throw new Error(`unterminated label value: ${text}`);
    labels[name] = value;
    i = j + 1;
  }
}

/** A sample value: a float, or `+Inf`, `-Inf`, `NaN` (any case: prom-client writes `Nan`). */
function numberOf(s: string): number {
  const lower = s.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan') return Number.NaN;
  const n = Number(s);
  if (s === '' || Number.isNaN(n)) throw new Error(`bad sample value: ${s}`);
  return n;
}

/** Every sample of an exposition text; `# HELP`/`# TYPE` comments and blank lines are skipped. */
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    let name: string;
    let labels: Record<string, string> = {};
    let rest: string;
    if (brace >= 0 && (space < 0 || brace < space)) {
      name = line.slice(0, brace);
      const read = readLabels(line, brace);
      labels = read.labels;
      rest = line.slice(read.end).trim();
    } else {
      if (space < 0) throw new Error(`sample without value: ${line}`);
      name = line.slice(0, space);
      rest = line.slice(space + 1).trim();
    }
    // An optional timestamp follows the value.
    samples.push({ name, labels, value: numberOf(rest.split(/\s+/)[0] ?? '') });
  }
  return samples;
}

/**
 * A quantile from cumulative histogram buckets (`le` upper bounds), as PromQL's histogram_quantile does:
 * linear within the bucket the rank falls in; a rank in the +Inf bucket answers the highest finite bound.
 * Undefined when there is no observation.
 */
export function histogramQuantile(q: number, buckets: readonly { le: number; count: number }[]): number | undefined {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)?.count ?? 0;
  if (total <= 0 || sorted.at(-1)?.le !== Infinity) return undefined;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of sorted) {
    if (b.count >= rank && b.count > prevCount) {
      if (b.le === Infinity) return prevLe;
      return prevLe + ((b.le - prevLe) * (rank - prevCount)) / (b.count - prevCount);
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}

export interface OperationCounts {
  readonly operation: string;
  readonly success: number;
  readonly failure: number;
}

/** What the Status view shows of one scrape. */
export interface MetricsSummary {
  /** Requests by operation, the busiest first. */
  readonly operations: readonly OperationCounts[];
  readonly totalRequests: number;
  /** Failures over all requests (0..1); undefined before any request. */
  readonly errorRate: number | undefined;
  /** Request latency over every operation, in seconds. */
  readonly p50Seconds: number | undefined;
  readonly p99Seconds: number | undefined;
  readonly auditQueueDepth: number | undefined;
  readonly sealed: boolean | undefined;
  /** Seconds since the process started (process_start_time_seconds against `nowSeconds`). */
  readonly uptimeSeconds: number | undefined;
}

const first = (samples: readonly Sample[], name: string): number | undefined => samples.find((s) => s.name === name)?.value;

/** Summarizes Arca's series: arca_requests_total, arca_request_duration_seconds, arca_audit_queue_depth, arca_sealed. */
export function summarizeMetrics(samples: readonly Sample[], nowSeconds: number): MetricsSummary {
  const byOp = new Map<string, { success: number; failure: number }>();
  for (const s of samples) {
    if (s.name !== 'arca_requests_total') continue;
    const op = s.labels['operation'] ?? '';
    const row = byOp.get(op) ?? { success: 0, failure: 0 };
    if (s.labels['outcome'] === 'failure') row.failure += s.value;
    else row.success += s.value;
    byOp.set(op, row);
  }
  const operations = [...byOp].map(([operation, c]) => ({ operation, ...c })).sort((a, b) => b.success + b.failure - (a.success + a.failure) || a.operation.localeCompare(b.operation));
  const totalRequests = operations.reduce((n, o) => n + o.success + o.failure, 0);
  const failures = operations.reduce((n, o) => n + o.failure, 0);
  // Buckets of every operation added up by bound: the latency of all requests.
  const buckets = new Map<number, number>();
  for (const s of samples) {
    if (s.name !== 'arca_request_duration_seconds_bucket') continue;
    const le = numberOf(s.labels['le'] ?? '');
    buckets.set(le, (buckets.get(le) ?? 0) + s.value);
  }
  const bucketList = [...buckets].map(([le, count]) => ({ le, count }));
  const started = first(samples, 'process_start_time_seconds');
  const sealed = first(samples, 'arca_sealed');
  return {
    operations,
    totalRequests,
    errorRate: totalRequests === 0 ? undefined : failures / totalRequests,
    p50Seconds: histogramQuantile(0.5, bucketList),
    p99Seconds: histogramQuantile(0.99, bucketList),
    auditQueueDepth: first(samples, 'arca_audit_queue_depth'),
    sealed: sealed === undefined ? undefined : sealed === 1,
    uptimeSeconds: started === undefined ? undefined : Math.max(0, nowSeconds - started),
  };
}

/** A duration for people: `850 µs`, `12.5 ms`, `1.20 s`. */
export function formatSeconds(s: number | undefined): string {
  if (s === undefined) return '—';
  if (s < 0.001) return `${Math.round(s * 1e6)} µs`;
  if (s < 1) return `${(s * 1000).toFixed(1)} ms`;
  return `${s.toFixed(2)} s`;
}

/** An uptime for people: `3 d 4 h`, `2 h 5 min`, `42 s`. */
export function formatUptime(s: number | undefined): string {
  if (s === undefined) return '—';
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min`;
  return `${Math.floor(s)} s`;
}
