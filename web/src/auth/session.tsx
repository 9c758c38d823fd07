import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, callOperation, type Credentials, type Endpoint } from '../api/client';
import type { ConsoleConfig } from '../api/console-config';

/** A signed-in console session: temporary credentials, held only in this tab's memory. */
export interface Session {
  readonly endpoint: Endpoint;
  readonly credentials: Credentials;
  /** The caller's ARN, as GetCallerIdentity answered it. */
  readonly principalArn: string;
  readonly expiresAt: Date;
  readonly method: 'access-key' | 'oidc';
}

interface SessionState {
  readonly config: ConsoleConfig;
  readonly session: Session | undefined;
  signIn(session: Session): void;
  /** Forgets the credentials and everything the console fetched with them. */
  signOut(reason?: string): void;
  /** Why the last session ended (expired, signed out), shown on the sign-in page. */
  readonly endedBecause: string | undefined;
}

/** What the sign-in page says after the session ran out. */
export const EXPIRED = 'Your session expired. Sign in again.';

const SessionContext = createContext<SessionState | undefined>(undefined);

export function SessionProvider({ config, children }: { config: ConsoleConfig; children: ReactNode }) {
  const [session, setSession] = useState<Session | undefined>(undefined);
  const [endedBecause, setEndedBecause] = useState<string | undefined>(undefined);
  const signOut = useCallback((reason?: string) => {
    setSession(undefined);
    setEndedBecause(reason);
    sessionStorage.clear();
    // The hash names what was being looked at (a key id, an approval): it goes with the session.
    window.history.replaceState(null, '', window.location.pathname);
  }, []);
  const signIn = useCallback((s: Session) => {
    setEndedBecause(undefined);
    setSession(s);
  }, []);
  useEffect(() => {
    if (session === undefined) return undefined;
    const timer = window.setTimeout(() => signOut(EXPIRED), Math.max(0, session.expiresAt.getTime() - Date.now()));
    return () => window.clearTimeout(timer);
  }, [session, signOut]);
  const value = useMemo(() => ({ config, session, signIn, signOut, endedBecause }), [config, session, signIn, signOut, endedBecause]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (s === undefined) throw new Error('useSession outside SessionProvider');
  return s;
}

/**
 * Calls operations as the signed-in session; an expired or revoked session signs out. A deployment
 * serves several regions from one endpoint and the region a request is signed for picks its namespace
 * of keys and aliases (docs/regions.md): `region` signs the same credentials for another region.
 */
export function useApi(region?: string): <T = Record<string, unknown>>(target: string, input?: unknown, signal?: AbortSignal) => Promise<T> {
  const { session, signOut } = useSession();
  return useCallback(
    async <T,>(target: string, input?: unknown, signal?: AbortSignal): Promise<T> => {
      if (session === undefined) throw new ApiError('NotSignedIn', 'Sign in first.', 0);
      // A timer may have been held back (a suspended laptop): an expired session is not used.
      if (Date.now() >= session.expiresAt.getTime()) {
        signOut(EXPIRED);
        throw new ApiError('ExpiredToken', 'The session expired.', 0);
      }
      try {
        return await callOperation<T>(region === undefined ? session.endpoint : { ...session.endpoint, region }, session.credentials, target, input, signal);
      } catch (e) {
        if (e instanceof ApiError && (e.code === 'ExpiredTokenException' || e.code === 'ExpiredToken')) signOut(EXPIRED);
        throw e;
      }
    },
    [session, signOut, region],
  );
}
