import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import type { AuditConfig } from './app.js';

/** The `audit` section of a config file (also the `audit:` section of `arca server --config`). */
export const auditConfigSchema = z
  .object({
    checkpointEvery: z.number().int().min(1).optional(),
    checkpointIntervalMs: z.number().int().min(100).optional(),
    retentionDays: z.number().positive().optional(),
    sinkIntervalMs: z.number().int().min(50).optional(),
    durability: z.enum(['wal-fdatasync', 'sqlite-full']).optional(),
    sinks: z
      .array(
        z.discriminatedUnion('type', [
          z.object({ type: z.literal('file'), path: z.string().min(1), maxBytes: z.number().int().min(1024).optional(), maxFiles: z.number().int().min(1).optional() }).strict(),
          z.object({ type: z.literal('syslog'), host: z.string().min(1), port: z.number().int().min(1).max(65535), protocol: z.enum(['udp', 'tcp']), facility: z.number().int().min(0).max(23).optional() }).strict(),
          z.object({ type: z.literal('webhook'), url: z.url(), headers: z.record(z.string(), z.string()).optional(), batchSize: z.number().int().min(1).max(1000).optional() }).strict(),
        ]),
      )
      .optional(),
  })
  .strict();

/**
 * Reads the audit section of a config file (YAML or JSON): checkpoint cadence, retention and sinks. Sinks
 * are configured here only, never through the API. Relative sink paths are relative to the file.
 */
export function readAuditConfig(file: string): AuditConfig {
  const raw: unknown = parse(readFileSync(file, 'utf8'));
  const section = typeof raw === 'object' && raw !== null && 'audit' in raw ? (raw as { audit: unknown }).audit : raw;
  const result = auditConfigSchema.safeParse(section ?? {});
  if (!result.success) throw new Error(`${file}: ${result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return toAuditConfig(result.data, resolve(file, '..'));
}

/** A validated audit section as the composition takes it; relative sink paths are resolved against `base`. */
export function toAuditConfig(c: z.infer<typeof auditConfigSchema>, base: string): AuditConfig {
  return {
    ...(c.checkpointEvery !== undefined && { checkpointEvery: c.checkpointEvery }),
    ...(c.checkpointIntervalMs !== undefined && { checkpointIntervalMs: c.checkpointIntervalMs }),
    ...(c.retentionDays !== undefined && { retentionDays: c.retentionDays }),
    ...(c.sinkIntervalMs !== undefined && { sinkIntervalMs: c.sinkIntervalMs }),
    ...(c.durability !== undefined && { durability: c.durability }),
    ...(c.sinks !== undefined && { sinks: c.sinks.map((s) => (s.type === 'file' ? { ...s, path: resolve(base, s.path) } : s)) }),
  };
}
