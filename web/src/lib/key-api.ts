import { useCallback, useEffect, useState } from 'react';
import { ApiError, callOperation } from '../api/client';
import { useApi, useSession } from '../auth/session';
import type { OperationState } from './use-operation';

type Api = <T = Record<string, unknown>>(target: string, input?: unknown, signal?: AbortSignal) => Promise<T>;

/**
 * `useApi()` for one region: a deployment serves several regions from one endpoint, and the region a
 * request is signed for picks the namespace of keys and aliases (docs/regions.md). `undefined` or the
 * session's own region is exactly `useApi()`; another region signs the same credentials for that region.
 */
export function useRegionApi(region: string | undefined): Api {
  const api = useApi();
  const { session, signOut } = useSession();
  return useCallback(
    async <T,>(target: string, input?: unknown, signal?: AbortSignal): Promise<T> => {
      if (session === undefined || region === undefined || region === session.endpoint.region) return api<T>(target, input, signal);
      try {
        return await callOperation<T>({ ...session.endpoint, region }, session.credentials, target, input, signal);
      } catch (e) {
        if (e instanceof ApiError && (e.code === 'ExpiredTokenException' || e.code === 'ExpiredToken')) signOut('Your session expired. Sign in again.');
        throw e;
      }
    },
    [api, session, signOut, region],
  ) as Api;
}

/** `useOperation` (lib/use-operation.ts) in one region: the same contract, signed for `region`. */
export function useKeyOperation<T = Record<string, unknown>>(region: string | undefined, target: string, input: unknown = {}, enabled = true): OperationState<T> {
  const api = useRegionApi(region);
  const key = JSON.stringify(input ?? {});
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: enabled });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!enabled) return undefined;
    const ctl = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    api<T>(target, JSON.parse(key), ctl.signal).then(
      (data) => ctl.signal.aborted || setState({ data, error: undefined, loading: false }),
      (error: unknown) => ctl.signal.aborted || setState((s) => ({ data: s.data, error, loading: false })),
    );
    return () => ctl.abort();
  }, [api, target, key, tick, enabled]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** The region a key reference names when it is an ARN (`arn:aws:kms:eu-west-1:…`), else undefined. */
export function regionOfKeyRef(ref: string): string | undefined {
  return ref.startsWith('arn:') ? ref.split(':')[3] || undefined : undefined;
}
