import { ratio, type Row } from './report.js';

/** Where one configuration's time went under one workload, per request (bench/cluster.ts). */
export interface Costs {
  readonly configuration: string;
  readonly operation: string;
  readonly nodes: number;
  /** CPU seconds per 1,000 requests of the Arca node processes under load, summed (= ms per request). */
  readonly nodeCpuPer1000: number;
  /** The same for the whole PostgreSQL cluster (postmaster, backends, WAL writer, checkpointer…). */
  readonly pgCpuPer1000: number;
  /** The same for the load generator (autocannon, in the benchmark's process). */
  readonly loadCpuPer1000: number;
  /** The machine's busy CPU over its capacity (cores × seconds) during the slices: 1 is saturated. */
  readonly machineBusy: number;
  /** The share of the machine's capacity taken by processes outside the benchmark during the slices. */
  readonly otherCpuShare: number;
  /** WAL written per request (PostgreSQL configurations only). */
  readonly walBytesPerRequest: number | undefined;
  /** Requests per PostgreSQL write transaction (PostgreSQL configurations only): the audit trail's group commit batch, roughly. */
  readonly requestsPerWriteTransaction: number | undefined;
}

/** 2 nodes / 1 node and PostgreSQL / SQLite, per workload, from the alternating rows' req/s. */
export function clusterRatios(rows: readonly Row[]): Record<string, number | undefined> {
  const out: Record<string, number | undefined> = {};
  for (const operation of [...new Set(rows.map((r) => r.operation))]) {
    const rps = (server: string) => rows.find((r) => r.server === server && r.operation === operation)?.rps;
    out[`${operation}: postgres x2 / postgres x1`] = ratio(rps('postgres x2'), rps('postgres x1'));
    out[`${operation}: postgres x1 / sqlite x1`] = ratio(rps('postgres x1'), rps('sqlite x1'));
    out[`${operation}: postgres x2 / sqlite x1`] = ratio(rps('postgres x2'), rps('sqlite x1'));
  }
  return out;
}

/** The CPU table: seconds per 1,000 requests (= ms per request) of each process, and the machine's load. */
export function formatCosts(costs: readonly Costs[]): string {
  const header = ['configuration', 'operation', 'node ms/req', 'pg ms/req', 'loadgen ms/req', 'machine busy', 'others', 'WAL B/req', 'req/write xact'];
  const cells = costs.map((c) => [
    c.configuration,
    c.operation,
    c.nodeCpuPer1000.toFixed(3),
    c.pgCpuPer1000.toFixed(3),
    c.loadCpuPer1000.toFixed(3),
    `${Math.round(c.machineBusy * 100)} %`,
    `${Math.round(c.otherCpuShare * 100)} %`,
    c.walBytesPerRequest === undefined ? '–' : String(c.walBytesPerRequest),
    c.requestsPerWriteTransaction === undefined ? '–' : String(c.requestsPerWriteTransaction),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]) => c.map((x, i) => (i >= 2 ? x.padStart(widths[i] ?? 0) : x.padEnd(widths[i] ?? 0))).join('  ');
  return ['CPU per request (CPU seconds per 1,000 requests), during the configuration\'s own slices', line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n') + '\n';
}

/** N nodes on a PostgreSQL of C cores, from the measured CPU per request (docs/performance.md). */
export interface Projection {
  readonly operation: string;
  /** Node CPU per request (ms) and the ceiling of one node on one core (req/s). */
  readonly nodeMsPerRequest: number;
  readonly nodeRps: number;
  /** PostgreSQL CPU per request (ms) and what one PostgreSQL core serves (req/s). */
  readonly pgMsPerRequest: number;
  readonly pgRpsPerCore: number;
  /** Nodes one PostgreSQL core keeps busy: N at which PostgreSQL's CPU becomes the bound is C × this. */
  readonly nodesPerPgCore: number;
  /** For a few sizes of PostgreSQL: its CPU ceiling and the node count that reaches it. */
  readonly byPgCores: readonly { readonly pgCores: number; readonly ceilingRps: number; readonly nodesToSaturate: number }[];
}

/** Projects from one configuration's costs (the two-node one: per-request costs with two audit chains). */
export function projection(c: Costs): Projection {
  const nodeMs = c.nodeCpuPer1000;
  const pgMs = c.pgCpuPer1000;
  const nodeRps = nodeMs > 0 ? Math.round(1000 / nodeMs) : Infinity;
  const pgRpsPerCore = pgMs > 0 ? Math.round(1000 / pgMs) : Infinity;
  const nodesPerPgCore = pgMs > 0 ? Math.round((nodeMs / pgMs) * 100) / 100 : Infinity;
  return {
    operation: c.operation,
    nodeMsPerRequest: nodeMs,
    nodeRps,
    pgMsPerRequest: pgMs,
    pgRpsPerCore,
    nodesPerPgCore,
    byPgCores: [4, 8, 16].map((pgCores) => ({ pgCores, ceilingRps: pgCores * pgRpsPerCore, nodesToSaturate: Math.round(pgCores * nodesPerPgCore * 10) / 10 })),
  };
}

/** The projection as printed: the per-request costs, the formula with its numbers, and the ceilings for 4, 8 and 16 PostgreSQL cores. */
export function formatProjection(projections: readonly Projection[]): string {
  const lines = ['projection from the postgres x2 costs (CPU only; one core per node; docs/performance.md says what else bounds it):'];
  for (const p of projections) {
    lines.push(`  ${p.operation}: node ${p.nodeMsPerRequest} ms/request → ${p.nodeRps} req/s per node; PostgreSQL ${p.pgMsPerRequest} ms/request → ${p.pgRpsPerCore} req/s per PostgreSQL core`);
    lines.push(`    N nodes ≈ min(N × ${p.nodeRps}, C × ${p.pgRpsPerCore}) req/s on C PostgreSQL cores; PostgreSQL CPU is the bound from N ≈ ${p.nodesPerPgCore} × C`);
    lines.push(`    ${p.byPgCores.map((b) => `C=${b.pgCores}: ≤ ${b.ceilingRps} req/s, reached at N ≈ ${b.nodesToSaturate}`).join('; ')}`);
  }
  return lines.join('\n') + '\n';
}
