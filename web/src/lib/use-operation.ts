import { useCallback, useEffect, useState } from 'react';
import { useApi } from '../auth/session';

export interface OperationState<T> {
  readonly data: T | undefined;
  readonly error: unknown;
  readonly loading: boolean;
  /** Calls the operation again (after a change, or on a timer for a live view). */
  reload(): void;
}

/**
 * Calls one read operation when the component mounts and whenever `input` changes (compared as JSON);
 * a call made stale by a newer one is aborted and its answer dropped. `region`: signed for that region.
 */
export function useOperation<T = Record<string, unknown>>(target: string, input: unknown = {}, enabled = true, region?: string): OperationState<T> {
  const api = useApi(region);
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
