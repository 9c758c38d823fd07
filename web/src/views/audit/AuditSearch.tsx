import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useApi, useSession } from '../../auth/session';
import { ErrorBanner } from '../../components/ErrorBanner';
import type { AuditEvent } from '../../lib/audit-canonical';
import { filtersError, isOwnPoll, listInput, mergeNewer, NO_FILTERS, sequenceOf, type AuditFilters } from '../../lib/audit-events';
import { EventTable } from './EventTable';
import { useLiveTail } from './use-live-tail';
import './audit.css';

interface ListAnswer {
  readonly Events?: AuditEvent[];
  readonly NextMarker?: string;
}

const PAGE = 50;
/** A tail poll reads at most this many pages (of 100) to catch up after a burst. */
const TAIL_PAGES = 5;

const FIELDS: readonly { name: Exclude<keyof AuditFilters, 'outcome'>; label: string; type?: string; placeholder?: string }[] = [
  { name: 'eventName', label: 'Event name', placeholder: 'Encrypt' },
  { name: 'principal', label: 'Principal (ARN)', placeholder: 'arn:aws:iam::…:user/…' },
  { name: 'keyId', label: 'Key (ID or ARN)' },
  { name: 'errorCode', label: 'Error code', placeholder: 'AccessDenied' },
  { name: 'sourceIp', label: 'Source IP' },
  { name: 'startTime', label: 'From', type: 'datetime-local' },
  { name: 'endTime', label: 'To', type: 'datetime-local' },
];

/** `#/audit`: search the audit trail (ListAuditEvents) with filters and paging, and tail it live. */
export function AuditSearch() {
  const api = useApi();
  const { session } = useSession();
  const [form, setForm] = useState<AuditFilters>(NO_FILTERS);
  const [applied, setApplied] = useState<AuditFilters>(NO_FILTERS);
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [marker, setMarker] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(undefined);
  const [tailing, setTailing] = useState(false);
  const [hideOwn, setHideOwn] = useState(true);
  const [added, setAdded] = useState(0);
  const accessKeyId = session?.credentials.accessKeyId ?? '';

  // A new search (the applied filters changed): the first page, replacing what is shown.
  useEffect(() => {
    const ctl = new AbortController();
    setLoading(true);
    setError(undefined);
    api<ListAnswer>('ArcaService.ListAuditEvents', listInput(applied, PAGE), ctl.signal).then(
      (r) => {
        if (ctl.signal.aborted) return;
        setEvents(r.Events ?? []);
        setMarker(r.NextMarker);
        setLoading(false);
      },
      (e: unknown) => {
        if (ctl.signal.aborted) return;
        setError(e);
        setLoading(false);
      },
    );
    return () => ctl.abort();
  }, [api, applied]);

  const loadMore = async (): Promise<void> => {
    if (marker === undefined) return;
    setLoading(true);
    try {
      const r = await api<ListAnswer>('ArcaService.ListAuditEvents', listInput(applied, PAGE, marker));
      setEvents((shown) => {
        // A tail poll may have prepended since: never show an event twice.
        const seen = new Set(shown.map((e) => e.eventID));
        return [...shown, ...(r.Events ?? []).filter((e) => !seen.has(e.eventID))];
      });
      setMarker(r.NextMarker);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };

  // One tail poll: pages from the newest event down to the newest already seen (the trail is newest first).
  const poll = useCallback(
    async (newerThan: number, signal: AbortSignal): Promise<readonly AuditEvent[]> => {
      const out: AuditEvent[] = [];
      let next: string | undefined;
      for (let i = 0; i < TAIL_PAGES; i++) {
        const r = await api<ListAnswer>('ArcaService.ListAuditEvents', listInput(applied, 100, next), signal);
        const page = r.Events ?? [];
        out.push(...page.filter((e) => sequenceOf(e) > newerThan));
        next = r.NextMarker;
        if (next === undefined || page.some((e) => sequenceOf(e) <= newerThan)) break;
      }
      return out;
    },
    [api, applied],
  );
  const onTail = useCallback(
    (polled: readonly AuditEvent[]) => {
      const shown = hideOwn ? polled.filter((e) => !isOwnPoll(e, accessKeyId)) : polled;
      if (shown.length === 0) return;
      setEvents((current) => mergeNewer(current, shown, 1000));
      setAdded((n) => n + shown.length);
    },
    [hideOwn, accessKeyId],
  );
  const onTailError = useCallback((e: unknown) => {
    setError(e);
    setTailing(false);
  }, []);
  const newestShown = events.length === 0 ? 0 : sequenceOf(events[0] as AuditEvent);
  const tail = useLiveTail(tailing && !loading, poll, onTail, onTailError, newestShown);

  const submit = (ev: FormEvent): void => {
    ev.preventDefault();
    const bad = filtersError(form);
    if (bad !== undefined) return setError(new Error(bad));
    setAdded(0);
    setApplied(form);
  };
  const clear = (): void => {
    setForm(NO_FILTERS);
    setApplied(NO_FILTERS);
  };
  const tailState = !tailing ? 'Live tail is paused.' : tail.active ? `Live tail is on: checking for new events every 2 seconds${tail.lastPoll !== undefined ? ` (last checked ${tail.lastPoll.toLocaleTimeString()})` : ''}; ${added} new event${added === 1 ? '' : 's'} so far.` : tail.visible ? 'Live tail resumes when the search has loaded.' : 'Live tail waits while this tab is hidden.';

  return (
    <section aria-labelledby="audit-h1">
      <h1 id="audit-h1">Audit events</h1>
      <form onSubmit={submit} aria-label="Filter audit events">
        <div className="audit-filters">
          {FIELDS.map((f) => (
            <label key={f.name}>
              {f.label}
              <input type={f.type ?? 'text'} value={form[f.name]} placeholder={f.placeholder} onChange={(e) => setForm({ ...form, [f.name]: e.target.value })} />
            </label>
          ))}
          <label>
            Outcome
            <select value={form.outcome} onChange={(e) => setForm({ ...form, outcome: e.target.value as AuditFilters['outcome'] })}>
              <option value="">Any</option>
              <option value="Success">Success</option>
              <option value="Failure">Failure</option>
            </select>
          </label>
        </div>
        <div className="actions">
          <button type="submit" className="primary">Search</button>
          <button type="button" onClick={clear}>Clear filters</button>
        </div>
      </form>
      <div className="audit-tail">
        <button type="button" aria-pressed={tailing} onClick={() => setTailing((t) => !t)}>
          {tailing ? 'Pause live tail' : 'Start live tail'}
        </button>
        <label>
          <input type="checkbox" checked={hideOwn} onChange={(e) => setHideOwn(e.target.checked)} /> Hide this page&apos;s own ListAuditEvents polling
        </label>
        <p role="status" className="muted">{tailState}</p>
      </div>
      <ErrorBanner error={error} />
      <div className="table-wrap" role="log" aria-live="polite" aria-relevant="additions" aria-label="Audit events, newest first" aria-busy={loading}>
        <EventTable events={events} caption="Audit events, newest first" />
      </div>
      {!loading && events.length === 0 && error === undefined && <p className="muted">No event matches these filters.</p>}
      <div className="actions">
        {marker !== undefined && (
          <button type="button" onClick={() => void loadMore()} disabled={loading}>
            Load more
          </button>
        )}
        {loading && <span role="status">Loading…</span>}
      </div>
    </section>
  );
}
