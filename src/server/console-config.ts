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
