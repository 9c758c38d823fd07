/**
 * The pure parts of single sign-on (authorization code with PKCE), kept apart from the browser so that
 * they are tested on their own: what a callback URL carries, the URL without it, the role session name,
 * and the one-shot record of the pending sign-in (verifier, state, nonce) between redirect and callback.
 */

/** What the console must remember across the redirect to the provider: never a credential. */
export interface PendingSignIn {
  readonly codeVerifier: string;
  readonly state: string;
  readonly nonce: string;
}

export const PENDING_KEY = 'arca.sso.pending';

/** The authorization response's parameters when `href` is the provider's redirect back (`?code=&state=`, or `?error=&state=`). */
export function callbackParams(href: string): URLSearchParams | undefined {
  const params = new URL(href).searchParams;
  if (!params.has('state')) return undefined;
  return params.has('code') || params.has('error') ? params : undefined;
}

/** `href` without its query (the code and state must not stay in the address bar or the history). */
export function withoutQuery(href: string): string {
  const url = new URL(href);
  return `${url.pathname}${url.hash}`;
}

/**
 * A RoleSessionName (2-64 characters of `[\w+=,.@-]`, what STS accepts) from the token's email, else its
 * subject: other characters become `-`, and the name is cut at 64.
 */
export function roleSessionName(claims: { readonly email?: unknown; readonly sub?: unknown }): string {
  const source = typeof claims.email === 'string' && claims.email !== '' ? claims.email : typeof claims.sub === 'string' ? claims.sub : '';
  const name = source.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
  return name.length >= 2 ? name : `sso-${name}`.slice(0, 64).padEnd(2, '-');
}

/** Remembers the pending sign-in for the callback (sessionStorage: this tab only, gone when it closes). */
export function savePending(storage: Pick<Storage, 'setItem'>, pending: PendingSignIn): void {
  storage.setItem(PENDING_KEY, JSON.stringify(pending));
}

/** Reads and forgets the pending sign-in: a verifier is good for one callback only. */
export function takePending(storage: Pick<Storage, 'getItem' | 'removeItem'>): PendingSignIn | undefined {
  const raw = storage.getItem(PENDING_KEY);
  storage.removeItem(PENDING_KEY);
  if (raw === null) return undefined;
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v !== 'object' || v === null) return undefined;
    const { codeVerifier, state, nonce } = v as Record<string, unknown>;
    return typeof codeVerifier === 'string' && typeof state === 'string' && typeof nonce === 'string' ? { codeVerifier, state, nonce } : undefined;
  } catch {
    return undefined;
  }
}
