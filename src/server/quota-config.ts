import { z } from 'zod';
import { QUOTA_CLASSES, type QuotaConfig } from '../service/pipeline/request-quotas.js';

/** Requests per second for each quota class (docs/configuration.md, "Quotas"). */
const ratesSchema = z.object(Object.fromEntries(QUOTA_CLASSES.map((c) => [c, z.number().positive().max(1_000_000).optional()])) as Record<(typeof QUOTA_CLASSES)[number], z.ZodOptional<z.ZodNumber>>).strict();

/** `quotas:` of arca.yaml: request quotas per principal and per key, reloaded on SIGHUP. */
export const quotasSchema = z
  .object({
    perPrincipal: ratesSchema.optional(),
    perKey: ratesSchema.optional(),
    /** By principal ARN. */
    principals: z.record(z.string().regex(/^arn:aws[a-z-]*:(iam|sts)::\d{12}:.+$/, 'keys must be principal ARNs'), ratesSchema).optional(),
    /** By key ARN or key id. */
    keys: z.record(z.string().min(1), ratesSchema).optional(),
  })
  .strict();

export type QuotasConfig = z.infer<typeof quotasSchema>;

/** The validated section as the quotas take it (absent: no quota). */
export function toQuotaConfig(q: QuotasConfig | undefined): QuotaConfig {
  return q ?? {};
}
