import { z } from 'zod';
import type { CertificateRule } from '../core/client-certificate.js';

/**
 * `identity:` in arca.yaml (docs/identity.md): ways to be a principal without an access key. `certificates`
 * maps a client certificate verified against `tls.clientCa` to a principal: the first rule whose `match`
 * fields all match (globs: `*`, `?`) gives the principal, by name or IAM ARN.
 */
const certificateMatchSchema = z
  .object({
    subject: z.string().min(1).optional(),
    san: z.string().min(1).optional(),
    uri: z.string().min(1).optional(),
    dns: z.string().min(1).optional(),
    email: z.string().min(1).optional(),
  })
  .strict()
  .refine((m) => Object.values(m).some((v) => v !== undefined), 'give at least one of subject, san, uri, dns, email');

const certificateRuleSchema = z
  .object({
    match: certificateMatchSchema,
    principal: z.string().regex(/^(arn:aws[a-z-]*:iam::\d{12}:(user|role)\/)?[\w+=,.@-]{1,64}$/, 'must be a principal name or an IAM user or role ARN'),
  })
  .strict();

export const identitySchema = z
  .object({
    certificates: z.array(certificateRuleSchema).max(1000).optional(),
  })
  .strict();

/** The certificate rules of the validated `identity` section (none when absent). */
export function certificateRules(identity: z.infer<typeof identitySchema> | undefined): readonly CertificateRule[] {
  return identity?.certificates ?? [];
}
