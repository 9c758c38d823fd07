import { useEffect, useRef, useState } from 'react';
import type { AuditEvent } from '../../lib/audit-canonical';
import { sequenceOf } from '../../lib/audit-events';

export const TAIL_INTERVAL_MS = 2000;

/** Whether this tab is visible (document.visibilityState), updated as it changes. */
export function useTabVisible(): boolean {
  const [visible, setVisible] = useState(() => document.visibilityState === 'visible');
  useEffect(() => {
    const on = (): void => setVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', on);
    return () => document.removeEventListener('visibilitychange', on);
  }, []);
  return visible;
}

/**
 * Polls `poll` every 2 s while `running` and the tab is visible: after each answer the next poll is
 * scheduled (never two at once); pausing, hiding the tab or unmounting stops the timer and aborts the
 * call in flight. `poll` receives the newest sequence already seen, so it asks only for what is newer.
 */
export function useLiveTail(running: boolean, poll: (newerThan: number, signal: AbortSignal) => Promise<readonly AuditEvent[]>, onEvents: (events: readonly AuditEvent[]) => void, onError: (e: unknown) => void, newestShown: number): { active: boolean; visible: boolean; lastPoll: Date | undefined } {
  const visible = useTabVisible();
  const [lastPoll, setLastPoll] = useState<Date | undefined>(undefined);
  const newest = useRef(newestShown);
  newest.current = Math.max(newest.current, newestShown);
  // The callbacks change every render; the loop reads the latest through refs instead of restarting.
  const fns = useRef({ poll, onEvents, onError });
  fns.current = { poll, onEvents, onError };
  const active = running && visible;
  useEffect(() => {
    if (!active) return undefined;
    const ctl = new AbortController();
    let timer: number | undefined;
    const tick = async (): Promise<void> => {
      try {
        const events = await fns.current.poll(newest.current, ctl.signal);
        if (ctl.signal.aborted) return;
        for (const e of events) newest.current = Math.max(newest.current, sequenceOf(e));
        setLastPoll(new Date());
        fns.current.onEvents(events);
      } catch (e) {
        if (ctl.signal.aborted) return;
        fns.current.onError(e);
      }
      timer = window.setTimeout(() => void tick(), TAIL_INTERVAL_MS);
    };
    timer = window.setTimeout(() => void tick(), 0);
    return () => {
      ctl.abort();
      window.clearTimeout(timer);
    };
  }, [active]);
  return { active, visible, lastPoll };
}
