import * as oauth from 'oauth4webapi';
import { ApiError, sameOrigin, type Endpoint } from '../api/client';
import type { ConsoleConfig } from '../api/console-config';
import { callerArn, callSts, sessionCredentials } from '../api/sts';
import { callbackParams, roleSessionName, savePending, takePending, withoutQuery } from '../lib/sso';
import type { Session } from './session';

type SsoConfig = NonNullable<ConsoleConfig['oidc']>;

/** The redirect URI registered with the provider: the console's own page, `<origin>/ui/`. */
export const redirectUri = (): string => new URL(import.meta.env.BASE_URL, window.location.origin).href;

/** The provider's metadata (OpenID Connect discovery), checked to be the configured issuer's. */
async function discover(sso: SsoConfig): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(sso.issuer);
  try {
    return await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc' }));
  } catch (e) {
    throw new ApiError('SingleSignOnUnavailable', `The sign-on provider ${sso.issuer} cannot be reached or answered wrongly: ${e instanceof Error ? e.message : String(e)}`, 0);
  }
}

/**
 * Starts single sign-on: a fresh PKCE verifier (S256), state and nonce are kept in this tab's
 * sessionStorage for the callback, and the browser goes to the provider's authorization endpoint.
 */
export async function startSingleSignOn(sso: SsoConfig): Promise<void> {
  const as = await discover(sso);
  if (as.authorization_endpoint === undefined) throw new ApiError('SingleSignOnUnavailable', `${sso.issuer} publishes no authorization endpoint.`, 0);
  const pending = { codeVerifier: oauth.generateRandomCodeVerifier(), state: oauth.generateRandomState(), nonce: oauth.generateRandomNonce() };
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: sso.clientId,
    redirect_uri: redirectUri(),
    scope: sso.scopes.includes('openid') ? sso.scopes.join(' ') : ['openid', ...sso.scopes].join(' '),
    code_challenge: await oauth.calculatePKCECodeChallenge(pending.codeVerifier),
    code_challenge_method: 'S256',
    state: pending.state,
    nonce: pending.nonce,
  }).toString();
  savePending(sessionStorage, pending);
  window.location.assign(url.href);
}

/** Whether this page load is the provider's redirect back to the console. */
export const isSingleSignOnCallback = (): boolean => callbackParams(window.location.href) !== undefined;

/**
 * Completes single sign-on on the callback: the code and state leave the address bar at once, the
 * pending record is read and forgotten, the state is checked, the code is exchanged with its verifier
 * and the ID token validated (issuer, audience, nonce, expiry); then STS AssumeRoleWithWebIdentity turns
 * the ID token into the role's session. Nothing but the session's credentials, in memory, remains.
 */
export async function completeSingleSignOn(config: ConsoleConfig, endpoint: Endpoint = sameOrigin(config.region)): Promise<Session> {
  const href = window.location.href;
  const params = callbackParams(href);
  window.history.replaceState(null, '', withoutQuery(href));
  const pending = takePending(sessionStorage);
  const sso = config.oidc;
  if (params === undefined || sso === undefined) throw new ApiError('SingleSignOnFailed', 'Single sign-on is not configured on this server.', 0);
  if (pending === undefined) throw new ApiError('SingleSignOnFailed', 'No sign-in was started in this tab (or it was already completed). Start again.', 0);
  const as = await discover(sso);
  const client: oauth.Client = { client_id: sso.clientId };
  let idToken: string;
  let claims: oauth.IDToken | undefined;
  try {
    const checked = oauth.validateAuthResponse(as, client, params, pending.state);
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), checked, redirectUri(), pending.codeVerifier);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: pending.nonce, requireIdToken: true });
    idToken = tokens.id_token ?? '';
    claims = oauth.getValidatedIdTokenClaims(tokens);
  } catch (e) {
    throw new ApiError('SingleSignOnFailed', `The sign-on provider refused the sign-in: ${ssoMessage(e)}`, 0);
  }
  const doc = await callSts(endpoint, undefined, {
    Action: 'AssumeRoleWithWebIdentity',
    RoleArn: sso.roleArn,
    RoleSessionName: roleSessionName(claims ?? {}),
    WebIdentityToken: idToken,
    DurationSeconds: String(config.sessionSeconds),
  });
  const credentials = sessionCredentials(doc);
  return { endpoint, credentials, principalArn: await callerArn(endpoint, credentials), expiresAt: credentials.expiration, method: 'oidc' };
}

/** The provider's own error (`access_denied: …`) when it gave one, else the library's message. */
function ssoMessage(e: unknown): string {
  if (e instanceof oauth.AuthorizationResponseError || e instanceof oauth.ResponseBodyError) return `${e.error}${e.error_description === undefined ? '' : `: ${e.error_description}`}`;
  return e instanceof Error ? e.message : String(e);
}
