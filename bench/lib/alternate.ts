import autocannon from 'autocannon';
import type { Row } from './report.js';
import { sequentialLatency } from './sequential.js';
import type { PresignedRequest } from './signing.js';

/** One server of an alternating run, with the requests of the workload it is driven with. */
export interface Contender {
  readonly server: string;
  readonly endpoint: string;
  readonly requests: PresignedRequest[];
}

/** What one slice measured. */
interface Slice {
  readonly requests: number;
  readonly seconds: number;
  readonly p50ms: number;
  readonly p99ms: number;
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/**
 * Servers up at once and driven in turn, `rounds` slices each, so that the drift of a shared machine's
 * load hits all of them alike (rows measured a minute apart differ by ±15 % on their own). The order
 * rotates every round, so that no server always follows the same one. req/s is over all slices; p50 and
 * p99 are the medians of the slices'.
 */
async function inTurn(contenders: readonly Contender[], rounds: number, measure: (c: Contender) => Promise<Slice>): Promise<Slice[]> {
  const totals = contenders.map(() => ({ requests: 0, seconds: 0, p50: [] as number[], p99: [] as number[] }));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const i = (k + round) % contenders.length;
      const r = await measure(contenders[i] as Contender);
      const t = totals[i] as (typeof totals)[number];
      t.requests += r.requests;
      t.seconds += r.seconds;
      t.p50.push(r.p50ms);
      t.p99.push(r.p99ms);
    }
  }
  return totals.map((t) => ({ requests: t.requests, seconds: t.seconds, p50ms: median(t.p50), p99ms: median(t.p99) }));
}

/** Slices of `slice` seconds at 64 connections (autocannon). Any failed request aborts the run. */
export async function alternate(contenders: readonly Contender[], operation: string, payload: string, rounds: number, slice: number): Promise<Row[]> {
  const slices = await inTurn(contenders, rounds, async (s) => {
    const r = await autocannon({ url: s.endpoint, connections: 64, duration: slice, requests: s.requests, pipelining: 1, timeout: 10 });
    const bad = r.non2xx + r.errors + r.timeouts;
    if (bad > 0) throw new Error(`${s.server}: ${bad} failed requests in the alternating ${operation} run — aborting`);
    return { requests: r.requests.total, seconds: r.duration, p50ms: r.latency.p50, p99ms: r.latency.p99 };
  });
  return rows(contenders, slices, `${operation} (alternating)`, payload, 64);
}

/** Slices of `slice` seconds of one connection, one request at a time (lib/sequential.ts, to the microsecond). */
export async function alternateSequential(contenders: readonly Contender[], operation: string, payload: string, rounds: number, slice: number): Promise<Row[]> {
  const slices = await inTurn(contenders, rounds, (s) => sequentialLatency(s.endpoint, s.requests[0] as PresignedRequest, slice));
  return rows(contenders, slices, `${operation} (node:http, alternating)`, payload, 1);
}

function rows(contenders: readonly Contender[], slices: readonly Slice[], operation: string, payload: string, connections: number): Row[] {
  return contenders.map((c, i) => {
    const s = slices[i] as Slice;
    return { server: c.server, operation, payload, connections, rps: Math.round(s.requests / s.seconds), p50ms: s.p50ms, p99ms: s.p99ms, requests: s.requests, errors: 0 };
  });
}
