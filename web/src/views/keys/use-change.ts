import { useCallback, useState } from 'react';
import { useApi } from '../../auth/session';

/** The last change's outcome: done (with what to say), or the error (an ApprovalRequiredException is a hold). */
export type Outcome = { readonly done: string } | { readonly error: unknown } | undefined;

/**
 * Runs changes (EnableKey, PutKeyPolicy…) in `region` one at a time for a view: `busy` while one runs, `outcome` after.
 * `after` runs on success (reload what changed); a held or failed change leaves the view as it was.
 */
export function useChange(region?: string) {
  const api = useApi(region);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(undefined);
  const run = useCallback(
    async (target: string, input: unknown, done: string, after?: () => void): Promise<boolean> => {
      setBusy(true);
      setOutcome(undefined);
      try {
        await api(target, input);
        setOutcome({ done });
        after?.();
        return true;
      } catch (error) {
        setOutcome({ error });
        return false;
      } finally {
        setBusy(false);
      }
    },
    [api],
  );
  return { busy, outcome, run, clear: () => setOutcome(undefined) };
}
