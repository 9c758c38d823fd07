import { useEffect, useState } from 'react';
import { useSession } from './session';
import './auth.css';

/** `m:ss` (or `h:mm:ss`) of a duration in milliseconds, never negative. */
export function formatLeft(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/**
 * The time left in the session, in the top bar. A timer (not a live region: it would speak every
 * second); in the last two minutes it says so in words, once, through a status message.
 */
export function SessionClock() {
  const { session } = useSession();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, []);
  if (session === undefined) return null;
  const left = session.expiresAt.getTime() - now;
  const ending = left <= 120_000;
  return (
    <>
      <span className={ending ? 'session-clock ending' : 'session-clock'} role="timer" aria-label="Session time left" title={`The session ends at ${session.expiresAt.toLocaleTimeString()}`}>
        Session: {formatLeft(left)} left
      </span>
      <span className="session-clock-sr" role="status">{ending ? 'Your session ends in less than two minutes.' : ''}</span>
    </>
  );
}
