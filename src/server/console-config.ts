import { z } from 'zod';

/**
 * `console:` in the server configuration (docs/console.md): the web console served under `/ui/`. On by
 * default; it holds no secret and has no back door: in the browser it signs the same operations the CLI
 * calls, so everything it shows or changes is authorized by policy and audited.
 */
export const consoleSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** How long a console session lasts (the STS session it signs in with): 15 minutes to 12 hours. */
    sessionSeconds: z.number().int().min(900).max(43_200).default(900),
    /** Sign-in with an access key must prove an MFA code (GetSessionToken with SerialNumber and TokenCode). */
    requireMfa: z.boolean().default(false),
    /**
     * Single sign-on: the browser runs the authorization-code flow with PKCE against `issuer` (which must
     * also be one of `identity.oidcProviders`), then exchanges the ID token for a session of `roleArn`
     * through AssumeRoleWithWebIdentity.
     */
    oidc: z
      .object({
        issuer: z.string().url(),
        clientId: z.string().min(1),
        roleArn: z.string().startsWith('arn:'),
        scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/)).default(['openid']),
      })
      .strict()
      .optional(),
  })
  .strict();

export type ConsoleSettings = z.infer<typeof consoleSchema>;

/** What the browser reads at `/ui/config.json` (web/src/api/console-config.ts). */
export interface ConsoleClientConfig {
  readonly region: string;
  readonly sessionSeconds: number;
  readonly requireMfa: boolean;
  readonly oidc?: { readonly issuer: string; readonly clientId: string; readonly roleArn: string; readonly scopes: readonly string[] };
}

export function consoleClientConfig(settings: ConsoleSettings | undefined, region: string): ConsoleClientConfig {
  const s = consoleSchema.parse(settings ?? {});
  return { region, sessionSeconds: s.sessionSeconds, requireMfa: s.requireMfa, ...(s.oidc !== undefined && { oidc: s.oidc }) };
}

/**
 * The cross-field check of `console.oidc` (on the raw document): the console's single sign-on ends in
 * AssumeRoleWithWebIdentity, which accepts only tokens of `identity.oidcProviders` naming one of their
 * `audiences`; a console issuer or client id outside them could never sign anyone in.
 */
export function consoleConfigErrors(consoleSection: unknown, identity: unknown): string[] {
  const oidc = field(consoleSection, 'oidc');
  const issuer = field(oidc, 'issuer');
  const clientId = field(oidc, 'clientId');
  if (typeof issuer !== 'string') return [];
  const providers = field(identity, 'oidcProviders');
  const provider = (Array.isArray(providers) ? providers : []).find((p) => field(p, 'issuer') === issuer);
  if (provider === undefined) return [`console.oidc.issuer: ${issuer} is not one of identity.oidcProviders[].issuer (AssumeRoleWithWebIdentity would refuse its tokens)`];
  const audiences = field(provider, 'audiences');
  if (typeof clientId === 'string' && !(Array.isArray(audiences) && audiences.includes(clientId))) {
    return [`console.oidc.clientId: ${clientId} is not one of the audiences of the identity.oidcProviders entry for ${issuer}`];
  }
  return [];
}

const field = (v: unknown, name: string): unknown => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>)[name] : undefined);
