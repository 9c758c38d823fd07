import { z } from 'zod';
import { DEFAULT_UNAUTHENTICATED_LIMITS, type UnauthenticatedLimits } from '../service/pipeline/unauthenticated-limiter.js';
import { DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from './http-server.js';

/** How often the throttled requests of each source are recorded as one `ThrottledRequests` event. */
export const DEFAULT_THROTTLE_SUMMARY_INTERVAL_MS = 10_000;

const count = (def: number) => z.number().int().min(1).max(1_000_000_000).default(def);
const rate = (def: number) => z.number().positive().max(1_000_000_000).default(def);
const ms = (def: number) => z.number().int().min(100).max(24 * 3_600_000).default(def);
const U = DEFAULT_UNAUTHENTICATED_LIMITS;
const C = DEFAULT_CONNECTION_LIMITS;

/**
 * The `limits:` section of arca.yaml, also `arca dev --limit name=value` (docs/configuration.md,
 * "Limits"): unauthenticated request rates, connections and timeouts.
 */
export const limitsSchema = z
  .object({
    unauthenticatedPerSecond: rate(U.perSourcePerSecond),
    unauthenticatedBurst: count(U.perSourceBurst),
    unauthenticatedTotalPerSecond: rate(U.totalPerSecond),
    unauthenticatedTotalBurst: count(U.totalBurst),
    trackedSources: count(U.maxSources),
    throttleSummaryIntervalMs: ms(DEFAULT_THROTTLE_SUMMARY_INTERVAL_MS),
    maxConnections: count(C.maxConnections),
    maxConnectionsPerSource: count(C.maxConnectionsPerSource),
    headersTimeoutMs: ms(C.headersTimeoutMs),
    requestTimeoutMs: ms(C.requestTimeoutMs),
    keepAliveTimeoutMs: ms(C.keepAliveTimeoutMs),
  })
  .strict()
  .refine((l) => l.headersTimeoutMs <= l.requestTimeoutMs, { message: 'headersTimeoutMs must not exceed requestTimeoutMs', path: ['headersTimeoutMs'] })
  .refine((l) => l.maxConnectionsPerSource <= l.maxConnections, { message: 'maxConnectionsPerSource must not exceed maxConnections', path: ['maxConnectionsPerSource'] });

export type LimitsConfig = z.infer<typeof limitsSchema>;

export const DEFAULT_LIMITS: LimitsConfig = limitsSchema.parse({});

export function unauthenticatedLimits(l: LimitsConfig): UnauthenticatedLimits {
  return {
    perSourcePerSecond: l.unauthenticatedPerSecond,
    perSourceBurst: l.unauthenticatedBurst,
    totalPerSecond: l.unauthenticatedTotalPerSecond,
    totalBurst: l.unauthenticatedTotalBurst,
    maxSources: l.trackedSources,
  };
}

export function connectionLimits(l: LimitsConfig): ConnectionLimits {
  return {
    maxConnections: l.maxConnections,
    maxConnectionsPerSource: l.maxConnectionsPerSource,
    headersTimeoutMs: l.headersTimeoutMs,
    requestTimeoutMs: l.requestTimeoutMs,
    keepAliveTimeoutMs: l.keepAliveTimeoutMs,
  };
}

/** `--limit name=value` flags (repeatable) into validated limits; every problem is reported. */
export function parseLimitFlags(flags: readonly string[]): { readonly limits: LimitsConfig; readonly errors: readonly string[] } {
  const raw: Record<string, number> = {};
  const errors: string[] = [];
  for (const flag of flags) {
    const m = /^([A-Za-z]+)=(.+)$/.exec(flag);
    const value = Number(m?.[2]);
    if (m?.[1] === undefined || !Number.isFinite(value)) errors.push(`--limit must be name=number (for example maxConnectionsPerSource=64), not '${flag}'`);
    else raw[m[1]] = value;
  }
  const parsed = limitsSchema.safeParse(raw);
  if (!parsed.success) for (const issue of parsed.error.issues) errors.push(`--limit ${issue.path.join('.') || ''}: ${issue.message}`.replace(' : ', ': '));
  return { limits: parsed.success ? parsed.data : DEFAULT_LIMITS, errors };
}
