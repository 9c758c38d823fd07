import { Fragment, useState } from 'react';
import type { AuditEvent } from '../../lib/audit-canonical';
import { keyOf, outcomeOf, principalOf, sequenceOf } from '../../lib/audit-events';

/** Audit events, newest first: one row each (time, event, principal, key, source IP, outcome), a row expanding to its JSON. */
export function EventTable({ events, caption }: { events: readonly AuditEvent[]; caption: string }) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string): void =>
    setOpen((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  return (
    <table className="audit-table">
      <caption className="audit-sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Event</th>
          <th scope="col">Principal</th>
          <th scope="col">Key</th>
          <th scope="col">Source IP</th>
          <th scope="col">Outcome</th>
        </tr>
      </thead>
      <tbody>
        {events.map((e) => {
          const expanded = open.has(e.eventID);
          const detailId = `audit-json-${e.eventID}`;
          return (
            <Fragment key={e.eventID}>
              <tr data-sequence={sequenceOf(e)}>
                <td>
                  <button type="button" className="audit-expand" aria-expanded={expanded} aria-controls={detailId} onClick={() => toggle(e.eventID)}>
                    <span aria-hidden="true">{expanded ? '▾' : '▸'}</span> <time dateTime={e.eventTime}>{new Date(e.eventTime).toLocaleString()}</time>
                    <span className="audit-sr-only"> — show the full event {sequenceOf(e)}</span>
                  </button>
                </td>
                <td>{e.eventName}</td>
                <td className="mono audit-wrap">{principalOf(e)}</td>
                <td className="mono audit-wrap">{keyOf(e)}</td>
                <td className="mono">{e.sourceIPAddress ?? ''}</td>
                <td>
                  <span className={`badge ${e.errorCode === undefined ? 'badge-ok' : 'badge-danger'}`}>{outcomeOf(e)}</span>
                </td>
              </tr>
              {expanded && (
                <tr id={detailId} className="audit-detail">
                  <td colSpan={6}>
                    <pre className="audit-json" tabIndex={0} aria-label={`Event ${sequenceOf(e)} as JSON`}>
                      {JSON.stringify(e, null, 2)}
                    </pre>
                  </td>
                </tr>
              )}
            </Fragment>
          );
        })}
      </tbody>
    </table>
  );
}
