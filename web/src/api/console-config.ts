/** What the server tells the console at `/ui/config.json` (the `console:` section of arca.yaml). */
export interface ConsoleConfig {
  /** The region requests are signed for. */
  readonly region: string;
  /** Seconds a console session lasts (STS session duration); short by default. */
  readonly sessionSeconds: number;
  /** Sign-in with an access key must prove an MFA code. */
  readonly requireMfa: boolean;
  /** OIDC single sign-on, when configured: authorization code with PKCE, then AssumeRoleWithWebIdentity. */
  readonly oidc?: { readonly issuer: string; readonly clientId: string; readonly roleArn: string; readonly scopes: readonly string[] } | undefined;
}

export const DEFAULT_CONFIG: ConsoleConfig = { region: 'us-east-1', sessionSeconds: 900, requireMfa: false };

export async function loadConsoleConfig(): Promise<ConsoleConfig> {
  try {
    const res = await fetch(`${import.meta.env.BASE_URL}config.json`, { cache: 'no-store', credentials: 'omit' });
    if (!res.ok) return DEFAULT_CONFIG;
    return { ...DEFAULT_CONFIG, ...((await res.json()) as Partial<ConsoleConfig>) };
  } catch {
    return DEFAULT_CONFIG;
  }
}
