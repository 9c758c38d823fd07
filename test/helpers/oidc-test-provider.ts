/**
 * A small OpenID Connect provider for the console's single sign-on tests ONLY (the `oidc-provider`
 * package is not a dependency here): discovery, an authorization endpoint that auto-approves one fixed
 * user, a token endpoint that really checks PKCE (S256), and a JWKS with an RS256 key made by jose.
 * Everything it refuses it refuses as a provider would (400 with an OAuth error), so tests can show
 * that the console's flow depends on each check.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { issue, makeCa } from './pki.js';

export interface OidcTestUser {
  readonly sub: string;
  readonly email: string;
}

export interface OidcTestProvider {
  /**
   * `https://127.0.0.1:<port>`: the `iss` of its tokens, and where discovery is. HTTPS (a throwaway CA)
   * because a trust policy names a provider by its issuer without `https://`: an http issuer cannot be trusted.
   */
  readonly issuer: string;
  /** Its signing keys (JWKS), for a server that must not fetch them over this test TLS. */
  readonly jwks: { readonly keys: readonly JWK[] };
  readonly clientId: string;
  readonly user: OidcTestUser;
  /** Lets `origin` (the console) in: its `/ui/` is the one registered redirect URI, and CORS allows it. */
  allow(origin: string): void;
  /** Every request it answered, as `METHOD /path -> status` (what the browser really went through). */
  readonly log: string[];
  /** POSTs to its own token endpoint (unit-level checks of PKCE). */
  token(params: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Runs /authorize as a browser would and answers the code it redirected with. */
  authorize(params: Record<string, string>): Promise<{ status: number; location: string | undefined; body: string }>;
  close(): Promise<void>;
}

interface Grant {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string;
  readonly nonce: string | undefined;
}

const s256 = (verifier: string): string => createHash('sha256').update(verifier, 'ascii').digest('base64url');

export async function startOidcTestProvider(opts: { clientId?: string; user?: OidcTestUser } = {}): Promise<OidcTestProvider> {
  const clientId = opts.clientId ?? 'arca-console';
  const user = opts.user ?? { sub: 'user-7f3a', email: 'ada@example.test' };
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const kid = 'test-key-1';
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const grants = new Map<string, Grant>();
  const log: string[] = [];
  let consoleOrigin: string | undefined;
  let issuer = '';

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
    res.end(JSON.stringify(body));
  };
  const cors = (req: IncomingMessage): Record<string, string> =>
    consoleOrigin !== undefined && req.headers.origin === consoleOrigin ? { 'access-control-allow-origin': consoleOrigin, vary: 'Origin' } : { vary: 'Origin' };
  const readBody = (req: IncomingMessage) =>
    new Promise<URLSearchParams>((ok, fail) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => ok(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
      req.on('error', fail);
    });
  const idToken = (nonce: string | undefined, aud: string): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ email: user.email, ...(nonce === undefined ? {} : { nonce }) })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setAudience(aud)
      .setSubject(user.sub)
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(privateKey as CryptoKey);
  };

  const authorize = (url: URL, res: ServerResponse): number => {
    const p = url.searchParams;
    const redirect = consoleOrigin === undefined ? undefined : `${consoleOrigin}/ui/`;
    const refuse = (why: string) => {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`authorization refused: ${why}\n`);
      return 400;
    };
    // Checked before redirecting anywhere: an unknown client or redirect URI gets an error page, never a redirect.
    if (p.get('client_id') !== clientId) return refuse('unknown client_id');
    if (redirect === undefined || p.get('redirect_uri') !== redirect) return refuse('redirect_uri is not registered');
    if (p.get('response_type') !== 'code') return refuse('response_type must be code');
    if (p.get('code_challenge_method') !== 'S256' || !/^[\w-]{43}$/.test(p.get('code_challenge') ?? '')) return refuse('PKCE with S256 is required');
    const state = p.get('state');
    if (state === null || state === '') return refuse('state is required');
    if (!(p.get('scope') ?? '').split(' ').includes('openid')) return refuse('scope must include openid');
    const code = randomBytes(24).toString('base64url');
    grants.set(code, { clientId, redirectUri: redirect, challenge: p.get('code_challenge') ?? '', nonce: p.get('nonce') ?? undefined });
    const back = new URL(redirect);
    back.search = new URLSearchParams({ code, state, iss: issuer }).toString();
    res.writeHead(302, { location: back.href, 'cache-control': 'no-store' });
    res.end();
    return 302;
  };

  const token = async (req: IncomingMessage, res: ServerResponse): Promise<number> => {
    const p = await readBody(req);
    const headers = cors(req);
    const error = (e: string, d: string) => (send(res, 400, { error: e, error_description: d }, headers), 400);
    if (p.get('grant_type') !== 'authorization_code') return error('unsupported_grant_type', 'only authorization_code');
    const code = p.get('code') ?? '';
    const grant = grants.get(code);
    grants.delete(code); // a code is good once, whatever the outcome
    if (grant === undefined) return error('invalid_grant', 'unknown or used code');
    if (p.get('client_id') !== grant.clientId) return error('invalid_client', 'client_id does not match the code');
    if (p.get('redirect_uri') !== grant.redirectUri) return error('invalid_grant', 'redirect_uri does not match the authorization request');
    const verifier = p.get('code_verifier') ?? '';
    if (!/^[\w.~-]{43,128}$/.test(verifier) || s256(verifier) !== grant.challenge) return error('invalid_grant', 'PKCE verification failed');
    send(res, 200, { access_token: randomBytes(24).toString('base64url'), token_type: 'Bearer', expires_in: 300, scope: 'openid email', id_token: await idToken(grant.nonce, grant.clientId) }, headers);
    return 200;
  };

  const listener: RequestListener = (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const answer = async (): Promise<number> => {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { ...cors(req), 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'content-type, accept', 'access-control-max-age': '60' });
        res.end();
        return 204;
      }
      if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
        send(res, 200, {
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['none'],
          scopes_supported: ['openid', 'email'],
        }, cors(req));
        return 200;
      }
      if (req.method === 'GET' && url.pathname === '/jwks') return (send(res, 200, { keys: [jwk] }, cors(req)), 200);
      if (req.method === 'GET' && url.pathname === '/authorize') return authorize(url, res);
      if (req.method === 'POST' && url.pathname === '/token') return token(req, res);
      send(res, 404, { error: 'not_found' });
      return 404;
    };
    answer().then(
      (status) => log.push(`${req.method} ${url.pathname} -> ${status}`),
      (e: unknown) => (log.push(`${req.method} ${url.pathname} -> 500`), send(res, 500, { error: 'server_error', error_description: String(e) })),
    );
  };
  // A certificate for 127.0.0.1 from a CA made for this provider (the browser is told to accept it).
  const dir = mkdtempSync(join(tmpdir(), 'arca-oidc-provider-'));
  makeCa(dir, 'ca');
  issue(dir, 'ca', 'idp', '/CN=127.0.0.1', 'IP:127.0.0.1');
  const ca = readFileSync(join(dir, 'ca.crt'));
  const server: Server = createHttpsServer({ cert: readFileSync(join(dir, 'idp.crt')), key: readFileSync(join(dir, 'idp.key')) }, listener);
  rmSync(dir, { recursive: true, force: true });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  issuer = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** One request to itself, trusting its own CA (Node's fetch takes no CA). */
  const call = (method: string, path: string, body?: string) =>
    new Promise<{ status: number; location: string | undefined; text: string }>((ok, fail) => {
      const headers = body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' };
      const req = httpsRequest(new URL(path, issuer), { method, headers, ca }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => ok({ status: res.statusCode ?? 0, location: res.headers.location, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', fail);
      req.end(body);
    });

  return {
    issuer,
    jwks: { keys: [jwk] },
    clientId,
    user,
    log,
    allow(origin) {
      consoleOrigin = origin;
    },
    async token(params) {
      const res = await call('POST', '/token', new URLSearchParams(params).toString());
      return { status: res.status, body: JSON.parse(res.text) as Record<string, unknown> };
    },
    async authorize(params) {
      const res = await call('GET', `/authorize?${new URLSearchParams(params).toString()}`);
      return { status: res.status, location: res.location, body: res.text };
    },
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

/** A PKCE pair as a client makes it (RFC 7636): a random verifier and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: s256(verifier) };
}
