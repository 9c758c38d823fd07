import { z } from 'zod';

/** The shortest and longest period accepted for `backup.schedule.every`. */
export const BACKUP_EVERY_BOUNDS = { minMs: 60_000, maxMs: 30 * 86_400_000 } as const;

/** The number of scheduled backup files kept when `backup.retain` is not given. */
export const DEFAULT_BACKUP_RETAIN = 7;

const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(?:\d+[smhd])+$/;
const EVERY_MESSAGE = 'must be a duration such as 30m, 6h, 1d or 1h30m (units s, m, h, d), from 1m to 30d';

/** `6h`, `1d`, `1h30m` in milliseconds; `undefined` for anything else. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let ms = 0;
  for (const m of text.matchAll(/(\d+)([smhd])/g)) ms += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? Number.NaN);
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** `backup.schedule.every`: a duration text in arca.yaml, milliseconds once parsed. */
const everySchema = z.string({ error: EVERY_MESSAGE }).transform((text, ctx) => {
  const ms = parseDuration(text.trim());
  if (ms === undefined || ms < BACKUP_EVERY_BOUNDS.minMs || ms > BACKUP_EVERY_BOUNDS.maxMs) {
    ctx.addIssue({ code: 'custom', message: `${EVERY_MESSAGE}, not '${text}'` });
    return z.NEVER;
  }
  return ms;
});

/**
 * arca.yaml's `backup:` section (docs/backup.md). `dir`: where backup files go (default
 * `<dataDir>/backups`). `schedule.every`: make a scheduled backup at every multiple of this period since
 * the Unix epoch, UTC (`6h`: 00:00, 06:00, 12:00, 18:00), on the cluster's scheduler leader. `retain`: the
 * number of scheduled files kept (only with a schedule); files made by `arca backup create` are never
 * counted or deleted.
 */
export const backupConfigSchema = z
  .object({
    dir: z.string().min(1).optional(),
    schedule: z.object({ every: everySchema }).strict().optional(),
    retain: z.number({ error: 'must be a whole number of files, 1 to 10000' }).int('must be a whole number of files, 1 to 10000').min(1, 'must keep at least 1 file').max(10_000).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.retain !== undefined && b.schedule === undefined) ctx.addIssue({ code: 'custom', path: ['retain'], message: 'applies to scheduled backups only: give backup.schedule.every too' });
  });

/** The validated `backup:` section; `schedule.every` in milliseconds. */
export type BackupConfig = z.infer<typeof backupConfigSchema>;
