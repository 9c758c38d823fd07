import { z } from 'zod';
import { ALERT_SEVERITIES, type RuleType } from '../../core/detection.js';
import { ERROR_CODES } from '../../core/errors.js';

/**
 * The anomaly rules (docs/monitoring.md, "Anomaly detection"): their schema, which validates arca.yaml's
 * `detection.rules` or the rules file, and the defaults used when none is configured. Each rule has a
 * name (the `rule` label of `arca_alerts_total` and of every alert), a severity, and optionally an action:
 * the circuit breaker it trips when it fires.
 */

/** A circuit breaker a rule trips: `block` refuses, `throttle` allows `ratePerSecond`; `key`: every principal on the key, `principal`: only this principal on it. */
export const ruleActionSchema = z
  .object({
    type: z.enum(['block', 'throttle']),
    scope: z.enum(['key', 'principal']).default('principal'),
    /** Absent: until an administrator releases it. */
    durationSeconds: z.number().int().positive().max(365 * 86_400).optional(),
    ratePerSecond: z.number().positive().max(100_000).default(1),
  })
  .strict();

const base = {
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1-64 letters, digits, dots, dashes or underscores'),
  enabled: z.boolean().default(true),
  severity: z.enum(ALERT_SEVERITIES).default('medium'),
  action: ruleActionSchema.optional(),
};
const windowSeconds = z.number().int().positive().max(86_400);

export const ruleSchema = z.discriminatedUnion('type', [
  /** `threshold` failures with one of `errorCodes` by one principal on one key within `windowSeconds`. */
  z.object({ ...base, type: z.literal('failureBurst'), threshold: z.number().int().min(1).max(100_000), windowSeconds, errorCodes: z.array(z.enum(ERROR_CODES)).min(1).default(['InvalidCiphertext', 'AccessDenied', 'IncorrectKey']) }).strict(),
  /** More than `threshold` successful `operations` (Decrypt) by one principal on one key within `windowSeconds`. */
  z.object({ ...base, type: z.literal('decryptVolume'), threshold: z.number().int().min(1).max(10_000_000), windowSeconds, operations: z.array(z.string().min(1)).min(1).default(['Decrypt']) }).strict(),
  /** A request from a network (IPv4 /`ipv4PrefixLength`, IPv6 /`ipv6PrefixLength`) the principal has not used within `historyDays`. */
  z.object({ ...base, type: z.literal('newSourceNetwork'), historyDays: z.number().positive().max(3650).default(30), ipv4PrefixLength: z.number().int().min(8).max(32).default(24), ipv6PrefixLength: z.number().int().min(16).max(128).default(48) }).strict(),
  /** A request at an hour of the day (UTC) the principal never used, once it has `minRequests` over at least `learningDays`. */
  z.object({ ...base, type: z.literal('offHours'), learningDays: z.number().positive().max(365).default(14), minRequests: z.number().int().min(1).default(200) }).strict(),
  /** A key used after `idleDays` without any request. */
  z.object({ ...base, type: z.literal('idleKey'), idleDays: z.number().positive().max(3650).default(90) }).strict(),
]);

export type Rule = z.infer<typeof ruleSchema>;
export type RuleAction = z.infer<typeof ruleActionSchema>;
export type RuleOf<T extends RuleType> = Extract<Rule, { type: T }>;

/** A list of rules whose names are unique. */
export const rulesSchema = z.array(ruleSchema).max(256).superRefine((rules, ctx) => {
  const seen = new Set<string>();
  rules.forEach((r, i) => {
    if (seen.has(r.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `rule name '${r.name}' is used twice` });
    seen.add(r.name);
  });
});

/** The rules in force when none is configured: alerts only, no breaker (a breaker is an operator's decision). */
export const DEFAULT_RULES: readonly Rule[] = rulesSchema.parse([
  { name: 'failure-burst', type: 'failureBurst', severity: 'high', threshold: 20, windowSeconds: 60 },
  { name: 'decrypt-volume', type: 'decryptVolume', severity: 'medium', threshold: 10_000, windowSeconds: 300 },
  { name: 'new-source-network', type: 'newSourceNetwork', severity: 'medium' },
  { name: 'off-hours', type: 'offHours', severity: 'low' },
  { name: 'idle-key', type: 'idleKey', severity: 'medium' },
]);

/** What the detector runs with. */
export interface DetectionSettings {
  readonly rules: readonly Rule[];
  /** Principal × key windows (and principals, and keys) tracked per rule at most; the least recently seen are forgotten. */
  readonly maxTracked: number;
}

export const DEFAULT_MAX_TRACKED = 50_000;
