export interface Row {
  server: string;
  operation: string;
  payload: string;
  connections: number;
  rps: number;
  p50ms: number;
  p99ms: number;
  requests: number;
  errors: number;
}

export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined || b === undefined || b === 0) return undefined;
  return Math.round((a / b) * 100) / 100;
}

export function formatTable(rows: readonly Row[]): string {
  const header = ['server', 'operation', 'payload', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'errors'];
  const cells = rows.map((r) => [r.server, r.operation, r.payload, String(r.connections), String(r.rps), String(r.p50ms), String(r.p99ms), String(r.errors)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) => c.map((x, i) => (i >= 3 ? x.padStart(widths[i] ?? 0) : x.padEnd(widths[i] ?? 0))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n') + '\n';
}
