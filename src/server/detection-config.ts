import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { DEFAULT_MAX_TRACKED, DEFAULT_RULES, rulesSchema, type DetectionSettings } from '../service/detection/rules.js';
import type { AlertWebhook, DeliveryOptions } from './alert-webhooks.js';

/**
 * `detection:` of arca.yaml (docs/monitoring.md, "Anomaly detection"): the rules (inline, or in the YAML
 * file `rulesFile` names; absent: the defaults), the webhooks alerts go to, and delivery settings.
 * Reloaded with the quotas on SIGHUP.
 */
export const detectionSchema = z
  .object({
    enabled: z.boolean().default(true),
    rules: rulesSchema.optional(),
    /** A YAML file holding `rules: [...]`, read at boot and on each SIGHUP. */
    rulesFile: z.string().min(1).optional(),
    /** Principal × key windows (and principals, keys) tracked per rule at most. */
    maxTracked: z.number().int().min(100).max(10_000_000).optional(),
    webhooks: z
      .array(
        z
          .object({
            url: z.string().url(),
            /** The environment variable holding the HMAC secret of `X-Arca-Signature`. */
            secretEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name').optional(),
          })
          .strict(),
      )
      .max(16)
      .optional(),
    delivery: z
      .object({
        maxAttempts: z.number().int().min(1).max(20).optional(),
        initialBackoffMs: z.number().int().min(10).max(600_000).optional(),
        maxQueued: z.number().int().min(1).max(100_000).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((d) => d.rules === undefined || d.rulesFile === undefined, { message: 'give rules or rulesFile, not both' });

export type DetectionSection = z.infer<typeof detectionSchema>;

/** The detection settings as the composition takes them (DevAppConfig.detection). */
export interface DetectionConfig {
  /** false: no request is observed, no alert raised, no breaker tripped. */
  readonly enabled: boolean;
  readonly settings: DetectionSettings;
  readonly webhooks: readonly AlertWebhook[];
  readonly delivery?: DeliveryOptions | undefined;
}

/** The default detection: on, the default rules, no webhook. */
export const DEFAULT_DETECTION: DetectionConfig = { enabled: true, settings: { rules: DEFAULT_RULES, maxTracked: DEFAULT_MAX_TRACKED }, webhooks: [] };

const rulesFileSchema = z.object({ rules: rulesSchema }).strict();

/**
 * The section with its rules file read and validated and its webhook secrets taken from `env`; every
 * problem is reported (`config` is then undefined). Absent section: {@link DEFAULT_DETECTION}.
 */
export function resolveDetection(section: DetectionSection | undefined, env: Readonly<Record<string, string | undefined>>): { readonly config?: DetectionConfig; readonly errors: readonly string[] } {
  if (section === undefined) return { config: DEFAULT_DETECTION, errors: [] };
  const errors: string[] = [];
  let rules = section.rules ?? DEFAULT_RULES;
  if (section.rulesFile !== undefined) {
    try {
      const parsed = rulesFileSchema.safeParse(parseYaml(readFileSync(section.rulesFile, 'utf8')));
      if (parsed.success) rules = parsed.data.rules;
      else for (const issue of parsed.error.issues) errors.push(`detection.rulesFile (${section.rulesFile}): ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
    } catch (e) {
      errors.push(`detection.rulesFile: cannot read ${section.rulesFile} (${(e as NodeJS.ErrnoException).code ?? String(e).split('\n')[0]})`);
    }
  }
  const webhooks: AlertWebhook[] = [];
  (section.webhooks ?? []).forEach((w, i) => {
    const secret = w.secretEnv === undefined ? undefined : env[w.secretEnv];
    if (w.secretEnv !== undefined && (secret === undefined || secret === '')) errors.push(`detection.webhooks.${i}.secretEnv: the environment variable ${w.secretEnv} is not set`);
    const url = new URL(w.url);
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) || url.hostname.startsWith('127.');
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) errors.push(`detection.webhooks.${i}.url: https is required (http only to a loopback host)`);
    webhooks.push({ url: w.url, secret });
  });
  if (errors.length > 0) return { errors };
  return { config: { enabled: section.enabled, settings: { rules, maxTracked: section.maxTracked ?? DEFAULT_MAX_TRACKED }, webhooks, delivery: section.delivery }, errors };
}
