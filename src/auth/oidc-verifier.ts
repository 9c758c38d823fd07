import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { KmsError } from '../core/errors.js';
import { providerName, type OidcProviderConfig, type VerifiedWebIdentity, type WebIdentityVerifier } from '../core/web-identity.js';

/** Algorithms never accepted, whatever the configuration says: unsigned, and shared-secret MACs. */
const FORBIDDEN_ALGORITHMS = /^(none|HS\d+)$/i;

const INVALID = 'The web identity token that was passed could not be validated. Get a new identity token from the identity provider and then retry the request.';

/** A provider with its key set. */
interface Provider {
  readonly config: OidcProviderConfig;
  readonly keys: JWTVerifyGetKey;
}

/**
 * The web identity verifier (issue 17) on jose: JWKS fetched with `createRemoteJWKSet` (cached; fetched
 * again when a token names an unknown `kid`, so key rotation works, at most once per cooldown) or a
 * static JWKS. A token's `iss` is read before verification only to pick the provider.
 */
export class OidcVerifier implements WebIdentityVerifier {
  readonly #providers = new Map<string, Provider>();

  constructor(providers: readonly OidcProviderConfig[]) {
    for (const config of providers) {
      const bad = config.algorithms.find((a) => FORBIDDEN_ALGORITHMS.test(a));
      if (bad !== undefined) throw new Error(`OIDC provider ${config.issuer}: algorithm ${bad} is not allowed`);
      const keys = 'uri' in config.jwks
        ? createRemoteJWKSet(new URL(config.jwks.uri), { cooldownDuration: config.jwksCooldownSeconds * 1000, timeoutDuration: 5000 })
        : createLocalJWKSet(config.jwks.keys as Parameters<typeof createLocalJWKSet>[0]);
      this.#providers.set(config.issuer, { config, keys });
    }
  }

  async verify(token: string, now: Date): Promise<VerifiedWebIdentity> {
    let issuer: unknown;
    try {
      const alg = decodeProtectedHeader(token).alg;
      if (alg === undefined || FORBIDDEN_ALGORITHMS.test(alg)) throw new KmsError('InvalidIdentityToken', `${INVALID} (unsupported signing algorithm)`);
      issuer = decodeJwt(token).iss;
    } catch (e) {
      if (e instanceof KmsError) throw e;
      throw new KmsError('InvalidIdentityToken', `${INVALID} (not a signed JWT)`);
    }
    const provider = typeof issuer === 'string' ? this.#providers.get(issuer) : undefined;
    if (provider === undefined) throw new KmsError('InvalidIdentityToken', 'No OpenIDConnect provider found in your account for the token\'s issuer.');
    const c = provider.config;
    let payload: Record<string, unknown>;
    try {
      const out = await jwtVerify(token, provider.keys, {
        issuer: c.issuer,
        audience: [...c.audiences],
        algorithms: [...c.algorithms],
        clockTolerance: c.clockSkewSeconds,
        currentDate: now,
        requiredClaims: ['sub', 'exp'],
      });
      payload = out.payload;
    } catch (e) {
      throw refusal(e);
    }
    const sub = payload['sub'];
    if (typeof sub !== 'string' || sub === '') throw new KmsError('InvalidIdentityToken', `${INVALID} (no sub claim)`);
    const audiences = typeof payload['aud'] === 'string' ? [payload['aud']] : Array.isArray(payload['aud']) ? payload['aud'].filter((a): a is string => typeof a === 'string') : [];
    const azp = payload['azp'];
    const audience = typeof azp === 'string' ? azp : (audiences.find((a) => c.audiences.includes(a)) ?? '');
    const tags: { key: string; value: string }[] = [];
    for (const [claim, key] of Object.entries(c.claimTags)) {
      const v = payload[claim];
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') tags.push({ key, value: String(v).slice(0, 256) });
    }
    return { provider: providerName(c.issuer), issuer: c.issuer, subject: sub, audience, claims: payload, tags };
  }
}

/** jose's failure as AWS STS names it. */
function refusal(e: unknown): KmsError {
  if (e instanceof errors.JWTExpired) return new KmsError('ExpiredIdentityToken', 'Token expired: the web identity token that was passed is expired or is not valid. Get a new identity token from the identity provider and then retry the request.');
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.claim === 'aud') return new KmsError('InvalidIdentityToken', 'Incorrect token audience');
    if (e.claim === 'iss') return new KmsError('InvalidIdentityToken', 'Incorrect token issuer');
    return new KmsError('InvalidIdentityToken', `${INVALID} (claim ${e.claim}: ${e.reason})`);
  }
  if (e instanceof errors.JWKSTimeout) return new KmsError('IdpCommunicationError', 'Couldn\'t retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements');
  if (e instanceof errors.JOSEError) return new KmsError('InvalidIdentityToken', `${INVALID} (${e.code})`);
  // A JWKS that could not be fetched or parsed (network, HTTP status): the provider is unreachable.
  return new KmsError('IdpCommunicationError', 'Couldn\'t retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements');
}
