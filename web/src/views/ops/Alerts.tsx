import { useState, type FormEvent } from 'react';
import { useApi } from '../../auth/session';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatTime, severityClass, shortArn } from '../../lib/ops-format';
import { useOperation } from '../../lib/use-operation';
import { Breakers } from './Breakers';
import './ops.css';

/** One alert as ListAlerts answers it (src/service/detection/alert.ts, alertJson). */
interface AlertRow {
  readonly alertId: string;
  readonly rule: string;
  readonly type: string;
  readonly severity: string;
  readonly time: string;
  readonly principal: string;
  readonly keyArn?: string;
  readonly summary: string;
  readonly acknowledged: boolean;
  readonly acknowledgement?: { by: string; at: string; note?: string };
  readonly breaker?: { breakerId: string };
}

type Shown = 'open' | 'acknowledged' | 'all';
const FILTER: Record<Shown, boolean | undefined> = { open: false, acknowledged: true, all: undefined };

/** `#/alerts`: anomaly alerts (acknowledge with a note) and the circuit breakers in force (release). */
export function Alerts() {
  const api = useApi();
  const [shown, setShown] = useState<Shown>('all');
  const acknowledged = FILTER[shown];
  const alerts = useOperation<{ Alerts: AlertRow[]; Truncated?: boolean }>('ArcaService.ListAlerts', { Limit: 100, ...(acknowledged !== undefined && { Acknowledged: acknowledged }) });
  const [acking, setAcking] = useState<AlertRow | undefined>(undefined);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [ackError, setAckError] = useState<unknown>(undefined);
  const [done, setDone] = useState('');

  async function acknowledge(e: FormEvent) {
    e.preventDefault();
    if (acking === undefined) return;
    setBusy(true);
    setAckError(undefined);
    try {
      await api('ArcaService.AcknowledgeAlert', { AlertId: acking.alertId, ...(note.trim() !== '' && { Note: note.trim() }) });
      setDone(`Alert ${acking.alertId} (${acking.rule}) acknowledged.`);
      setAcking(undefined);
      setNote('');
      alerts.reload();
    } catch (err) {
      setAckError(err);
    } finally {
      setBusy(false);
    }
  }

  const rows = alerts.data?.Alerts ?? [];
  return (
    <section className="ops">
      <h1>Alerts and circuit breakers</h1>
      <p className="muted">Anomaly detection (docs/monitoring.md) records each alert in the audit trail; acknowledging one records who saw it and why.</p>
      <div className="filters">
        <label>
          Show
          <select value={shown} onChange={(e) => setShown(e.target.value as Shown)}>
            <option value="all">All alerts</option>
            <option value="open">Not acknowledged</option>
            <option value="acknowledged">Acknowledged</option>
          </select>
        </label>
        <button type="button" onClick={alerts.reload}>Refresh</button>
      </div>
      <p role="status" className="muted">{alerts.loading ? 'Loading alerts…' : done !== '' ? done : `${rows.length} alert(s)${alerts.data?.Truncated === true ? ' (more exist: narrow the filter)' : ''}.`}</p>
      <ErrorBanner error={alerts.error} />
      {rows.length === 0 && !alerts.loading && alerts.error === undefined && <p>No alerts.</p>}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table aria-label="Alerts">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Severity</th>
                <th scope="col">Rule</th>
                <th scope="col">Principal</th>
                <th scope="col">Key</th>
                <th scope="col">Summary</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((a) => (
                <tr key={a.alertId} data-alert-id={a.alertId}>
                  <td className="nowrap">{formatTime(a.time)}</td>
                  <td><span className={severityClass(a.severity)}>{a.severity}</span></td>
                  <td>{a.rule}</td>
                  <td title={a.principal}>{shortArn(a.principal)}</td>
                  <td title={a.keyArn} className="mono">{a.keyArn === undefined ? '—' : shortArn(a.keyArn)}</td>
                  <td>{a.summary}{a.breaker !== undefined && <span className="muted"> (breaker {a.breaker.breakerId})</span>}</td>
                  <td>
                    {a.acknowledged ? (
                      <span>
                        <span className="badge badge-ok">Acknowledged</span>{' '}
                        <span className="muted">by {shortArn(a.acknowledgement?.by)} at {formatTime(a.acknowledgement?.at)}{a.acknowledgement?.note !== undefined && `: ${a.acknowledgement.note}`}</span>
                      </span>
                    ) : (
                      <button type="button" onClick={() => (setAcking(a), setAckError(undefined), setDone(''))} aria-label={`Acknowledge alert ${a.rule} at ${formatTime(a.time)}`}>
                        Acknowledge
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {acking !== undefined && (
        <form className="panel ack-form" onSubmit={(e) => void acknowledge(e)} aria-label="Acknowledge alert">
          <h2>Acknowledge alert {acking.rule}</h2>
          <p className="muted">{acking.summary} ({acking.alertId})</p>
          <label>
            Note (what was found, what was done)
            <textarea value={note} onChange={(e) => setNote(e.target.value)} maxLength={1024} rows={3} />
          </label>
          <ErrorBanner error={ackError} />
          <div className="actions">
            <button type="button" onClick={() => setAcking(undefined)}>Cancel</button>
            <button type="submit" className="primary" disabled={busy}>Acknowledge alert</button>
          </div>
        </form>
      )}
      <Breakers />
    </section>
  );
}
