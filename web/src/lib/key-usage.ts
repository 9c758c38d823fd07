/**
 * A key's usage over the last days, from its audit events (ArcaService.ListAuditEvents with KeyId): one
 * count per UTC day, oldest first, today last. Pure, so the view fetches and this counts.
 */

export const USAGE_DAYS = 14;
const DAY_MS = 86_400_000;

/** The first instant counted: midnight UTC of the oldest day of the window ending today. */
export function usageWindowStart(now: Date, days = USAGE_DAYS): Date {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  return new Date(today - (days - 1) * DAY_MS);
}

/** Counts events per UTC day over `days` days ending with `now`'s day; events outside the window are ignored. */
export function bucketDaily(events: readonly { readonly eventTime: string }[], now: Date, days = USAGE_DAYS): number[] {
  const start = usageWindowStart(now, days).getTime();
  const counts = new Array<number>(days).fill(0);
  for (const e of events) {
    const t = Date.parse(e.eventTime);
    if (Number.isNaN(t) || t < start) continue;
    const day = Math.floor((t - start) / DAY_MS);
    if (day < days) counts[day] = (counts[day] ?? 0) + 1;
  }
  return counts;
}

/** The sparkline's accessible name: the total, then each day's count. */
export function usageLabel(counts: readonly number[], now: Date): string {
  const start = usageWindowStart(now, counts.length).getTime();
  const total = counts.reduce((a, b) => a + b, 0);
  const days = counts.map((c, n) => `${new Date(start + n * DAY_MS).toISOString().slice(5, 10)}: ${c}`);
  return `${total} cryptographic requests in the last ${counts.length} days (${days.join(', ')})`;
}

/** The cryptographic operations: what "usage" counts (reading or managing a key is not using it). */
export const CRYPTO_OPERATIONS: ReadonlySet<string> = new Set([
  'Encrypt', 'Decrypt', 'ReEncrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext', 'Sign', 'Verify', 'GenerateMac', 'VerifyMac', 'DeriveSharedSecret',
]);

/** Whether an event is a cryptographic use of the key, successful or not. */
export function isKeyUse(e: { readonly eventName: string }): boolean {
  return CRYPTO_OPERATIONS.has(e.eventName);
}
