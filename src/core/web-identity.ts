/**
 * Web identity federation (issue 17, AssumeRoleWithWebIdentity): the OIDC providers Arca trusts and the
 * port that verifies their tokens. The service sees only this port; `auth/oidc-verifier.ts` implements it.
 */

/** One trusted OpenID Connect issuer (arca.yaml `identity.oidcProviders`). */
export interface OidcProviderConfig {
  /** The `iss` claim, exactly (`https://token.actions.githubusercontent.com`, `https://kubernetes.default.svc`). */
  readonly issuer: string;
  /** The `aud` values accepted: a token must name one of them. */
  readonly audiences: readonly string[];
  /** Where the signing keys are: fetched (cached, fetched again on an unknown `kid`) or given (air-gapped). */
  readonly jwks: { readonly uri: string } | { readonly keys: { readonly keys: readonly object[] } };
  /** The JWS algorithms accepted (never `none` nor HMAC); default RS256 and ES256. */
  readonly algorithms: readonly string[];
  /** Leeway for `exp`, `nbf` and `iat`, in seconds (default 60). */
  readonly clockSkewSeconds: number;
  /** Claim name → session tag key: claims copied into the session's tags. */
  readonly claimTags: Readonly<Record<string, string>>;
  /** The least time between two JWKS fetches, in seconds (default 30): bounds fetches an unknown `kid` causes. */
  readonly jwksCooldownSeconds: number;
}

/** A verified token: who the provider says the caller is. */
export interface VerifiedWebIdentity {
  /** The issuer without `https://`: the trust policy's `Federated` principal and condition key prefix. */
  readonly provider: string;
  readonly issuer: string;
  /** The `sub` claim. */
  readonly subject: string;
  /** The configured audience the token named (the `azp` claim when present, as AWS does for `:aud`). */
  readonly audience: string;
  /** The token's claims (verified). */
  readonly claims: Readonly<Record<string, unknown>>;
  /** Session tags from the provider's `claimTags` (string, number and boolean claims only). */
  readonly tags: readonly { readonly key: string; readonly value: string }[];
}

/**
 * Verifies a web identity token: signature (allowed algorithms, the issuer's keys), `iss` a configured
 * provider, `aud`, `exp`/`nbf`/`iat` with leeway. Refuses with KmsError `InvalidIdentityToken`,
 * `ExpiredIdentityToken` or `IdpCommunicationError`.
 */
export interface WebIdentityVerifier {
  verify(token: string, now: Date): Promise<VerifiedWebIdentity>;
}

/** A provider's name in trust policies and condition keys: the issuer URL without `https://`. */
export function providerName(issuer: string): string {
  return issuer.replace(/^https:\/\//, '').replace(/\/$/, '');
}
