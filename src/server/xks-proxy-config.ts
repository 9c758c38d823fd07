import { z } from 'zod';
import { XKS_KEY_ID_PATTERN } from '../core/xks.js';

/**
 * `xksProxy:` in the server configuration (docs/xks-proxy.md): Arca as the external key store proxy of
 * AWS KMS. Absent: the XKS API is not served. The rules on credentials are the spec's (appendix A, and
 * its "XKS proxy configuration" file): an access key id of 20 to 30 characters `A`-`Z` and `2`-`7`, a
 * secret of 43 to 64 characters `A`-`Z a`-`z 0`-`9 + / =`, given in the file or through an `ARCA_*`
 * environment variable named by `secretAccessKeyEnv`.
 */
const credentialSchema = z
  .object({
    accessKeyId: z.string().regex(/^[A-Z2-7]{20,30}$/, 'must be 20 to 30 characters A-Z and 2-7 (the XKS spec)'),
    secretAccessKey: z.string().regex(/^[A-Za-z0-9+/=]{43,64}$/, 'must be 43 to 64 characters A-Z, a-z, 0-9, +, / and = (the XKS spec)').optional(),
    /** An `ARCA_*` environment variable holding the secret (kept out of the file). */
    secretAccessKeyEnv: z.string().regex(/^ARCA_[A-Z0-9_]+$/, 'must name an ARCA_* environment variable').optional(),
  })
  .strict()
  .refine((c) => (c.secretAccessKey === undefined) !== (c.secretAccessKeyEnv === undefined), 'give exactly one of secretAccessKey and secretAccessKeyEnv');

const exposedKeySchema = z
  .object({
    xksKeyId: z.string().regex(XKS_KEY_ID_PATTERN, 'must be 1 to 128 letters, digits, -, . or _ (the XKS spec)'),
    /** The Arca key: key id, key ARN, alias name or alias ARN. */
    key: z.string().min(1).max(2048),
    /** What AWS KMS may do with it: `[encrypt, decrypt]`, one of them, or `[]` (metadata only). */
    operations: z.array(z.enum(['encrypt', 'decrypt'])).max(2).default(['encrypt', 'decrypt']),
  })
  .strict();

export const xksProxySchema = z
  .object({
    /** The path before `/kms/xks/v1` (`/keystores/a`; default none). The whole XksProxyUriPath is at most 128 characters. */
    uriPathPrefix: z.string().regex(/^(\/[A-Za-z0-9_-]+)*$/, 'must be empty or /segments of letters, digits, - and _').max(128 - '/kms/xks/v1'.length).default(''),
    /** One credential, or two while AWS KMS switches to a new one (rotation). */
    credentials: z.array(credentialSchema).min(1).max(2),
    /** The Arca principal (name or ARN) every XKS call is authorized and audited as. */
    principal: z.string().min(1).max(2048),
    /** The region AWS KMS signs for (the SigV4 scope); default the server's region. */
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must look like an AWS region').optional(),
    keys: z.array(exposedKeySchema).max(1000).default([]),
  })
  .strict()
  .superRefine((c, ctx) => {
    const ids = c.credentials.map((k) => k.accessKeyId);
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', path: ['credentials'], message: 'access key ids must differ' });
    const keys = c.keys.map((k) => k.xksKeyId);
    if (new Set(keys).size !== keys.length) ctx.addIssue({ code: 'custom', path: ['keys'], message: 'each xksKeyId may appear once' });
  });

export type XksProxyConfig = z.infer<typeof xksProxySchema>;

/** The problems of `xksProxy` that need the environment: a `secretAccessKeyEnv` that is unset or malformed. */
export function xksProxyEnvErrors(raw: unknown, env: Readonly<Record<string, string | undefined>>): string[] {
  const parsed = xksProxySchema.safeParse(raw);
  if (!parsed.success) return [];
  return parsed.data.credentials.flatMap((c, i) => {
    if (c.secretAccessKeyEnv === undefined) return [];
    const value = env[c.secretAccessKeyEnv];
    if (value === undefined) return [`xksProxy.credentials.${i}.secretAccessKeyEnv: the environment variable ${c.secretAccessKeyEnv} is not set`];
    return /^[A-Za-z0-9+/=]{43,64}$/.test(value) ? [] : [`xksProxy.credentials.${i}.secretAccessKeyEnv: ${c.secretAccessKeyEnv} must hold 43 to 64 characters A-Z, a-z, 0-9, +, / and =`];
  });
}
