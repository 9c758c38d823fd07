import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { CertificateRule } from '../core/client-certificate.js';
import { reservedTagKey } from '../core/session.js';
import type { OidcProviderConfig } from '../core/web-identity.js';

/**
 * arca.yaml's `identity:` section (issue 17, docs/identity.md): ways to be a principal without an access
 * key. `oidcProviders`: the OpenID Connect providers whose tokens AssumeRoleWithWebIdentity accepts. Each names its keys by `jwksUri` (fetched, cached, fetched again on
 * rotation) or `jwksFile` (a static JWKS, air-gapped); `none` and HMAC algorithms are never accepted.
 */
const oidcProviderSchema = z
  .object({
    issuer: z.string().url().refine((u) => u.startsWith('https://'), 'must be an https:// URL'),
    audiences: z.array(z.string().min(1)).min(1).max(100),
    // Plain HTTP only on loopback (a local JWKS relay): keys fetched over the network need TLS.
    jwksUri: z.string().url().refine((u) => u.startsWith('https://') || /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//.test(u), 'must be an https:// URL (http:// only on loopback)').optional(),
    jwksFile: z.string().min(1).optional(),
    algorithms: z
      .array(z.string().regex(/^(RS|PS|ES)(256|384|512)$|^EdDSA$/, 'must be an asymmetric JWS algorithm (RS256, PS256, ES256, EdDSA...): none and HMAC are refused'))
      .min(1)
      .default(['RS256', 'ES256']),
    clockSkewSeconds: z.number().int().min(0).max(600).default(60),
    claimTags: z
      .record(z.string().min(1), z.string().min(1).max(128).refine((k) => !reservedTagKey(k), 'a session tag key may not begin with aws: or arca: (posture keys come from the device_posture and risk_score claims)'))
      .default({}),
    jwksCooldownSeconds: z.number().int().min(0).max(3600).default(30),
  })
  .strict()
  .refine((p) => (p.jwksUri === undefined) !== (p.jwksFile === undefined), 'exactly one of jwksUri and jwksFile is needed');

/**
 * `certificates` maps a client certificate verified against `tls.clientCa` to a principal: the first rule
 * whose `match` fields all match (globs: `*`, `?`) gives the principal, by name or IAM ARN.
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

export const identityConfigSchema = z
  .object({
    oidcProviders: z.array(oidcProviderSchema).max(100).default([]),
    certificates: z.array(certificateRuleSchema).max(1000).optional(),
  })
  .strict();

/** The validated `identity:` section. */
export type IdentityConfig = z.infer<typeof identityConfigSchema>;

/** The providers as the verifier takes them: a `jwksFile` is read (and must be a JWKS) at boot. */
export function oidcProviders(config: IdentityConfig | undefined): OidcProviderConfig[] {
  return (config?.oidcProviders ?? []).map((p) => {
    let jwks: OidcProviderConfig['jwks'];
    if (p.jwksFile !== undefined) {
      const keys: unknown = JSON.parse(readFileSync(p.jwksFile, 'utf8'));
      if (typeof keys !== 'object' || keys === null || !Array.isArray((keys as { keys?: unknown }).keys)) throw new Error(`identity: ${p.jwksFile} is not a JWKS ({"keys": [...]})`);
      jwks = { keys: keys as { keys: object[] } };
    } else jwks = { uri: p.jwksUri ?? '' };
    return { issuer: p.issuer, audiences: p.audiences, jwks, algorithms: p.algorithms, clockSkewSeconds: p.clockSkewSeconds, claimTags: p.claimTags, jwksCooldownSeconds: p.jwksCooldownSeconds };
  });
}

/** The certificate rules of the validated `identity` section (none when absent). */
export function certificateRules(identity: IdentityConfig | undefined): readonly CertificateRule[] {
  return identity?.certificates ?? [];
}
