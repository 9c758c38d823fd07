import { useState } from 'react';
import { useApi } from '../../auth/session';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatTime, shortArn } from '../../lib/ops-format';
import { useOperation } from '../../lib/use-operation';

/** One breaker as ListBreakers answers it (breakerJson). */
interface BreakerRow {
  readonly breakerId: string;
  readonly action: string;
  readonly keyArn: string;
  readonly principal?: string;
  readonly rule: string;
  readonly alertId: string;
  readonly trippedAt: string;
  readonly until?: string;
  readonly ratePerSecond?: number;
}

/** The circuit breakers in force on the node that answers (breakers are per node), each releasable. */
export function Breakers() {
  const api = useApi();
  const breakers = useOperation<{ Breakers: BreakerRow[] }>('ArcaService.ListBreakers', {});
  const [releasing, setReleasing] = useState<BreakerRow | undefined>(undefined);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [done, setDone] = useState('');

  async function release() {
    if (releasing === undefined) return;
    setBusy(true);
    setError(undefined);
    try {
      await api('ArcaService.ReleaseBreaker', { BreakerId: releasing.breakerId, ...(reason.trim() !== '' && { Reason: reason.trim() }) });
      setDone(`Breaker ${releasing.breakerId} released: the requests it refused work again.`);
      breakers.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
      setReleasing(undefined);
      setReason('');
    }
  }

  const rows = breakers.data?.Breakers ?? [];
  return (
    <section aria-labelledby="breakers-title">
      <h2 id="breakers-title">Circuit breakers</h2>
      <p className="muted">Breakers live on each node: this lists and releases those of the node that answers.</p>
      <p role="status" className="muted">{breakers.loading ? 'Loading breakers…' : done !== '' ? done : `${rows.length} breaker(s) in force.`}</p>
      <ErrorBanner error={breakers.error} />
      <ErrorBanner error={error} />
      {rows.length > 0 && (
        <div className="table-wrap">
          <table aria-label="Circuit breakers">
            <thead>
              <tr>
                <th scope="col">Breaker</th>
                <th scope="col">Action</th>
                <th scope="col">Key</th>
                <th scope="col">Principal</th>
                <th scope="col">Rule</th>
                <th scope="col">Tripped</th>
                <th scope="col">Until</th>
                <th scope="col"><span className="visually-hidden">Release</span></th>
              </tr>
            </thead>
            <tbody>
              {rows.map((b) => (
                <tr key={b.breakerId}>
                  <td className="mono">{b.breakerId}</td>
                  <td><span className="badge badge-danger">{b.action}{b.ratePerSecond !== undefined && ` (${b.ratePerSecond}/s)`}</span></td>
                  <td className="mono" title={b.keyArn}>{shortArn(b.keyArn)}</td>
                  <td title={b.principal}>{b.principal === undefined ? 'every principal' : shortArn(b.principal)}</td>
                  <td>{b.rule}</td>
                  <td className="nowrap">{formatTime(b.trippedAt)}</td>
                  <td className="nowrap">{b.until === undefined ? 'until released' : formatTime(b.until)}</td>
                  <td><button type="button" className="danger" onClick={() => (setReleasing(b), setDone(''))}>Release</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog open={releasing !== undefined} title="Release circuit breaker" confirmLabel="Release breaker" danger busy={busy} onConfirm={() => void release()} onCancel={() => setReleasing(undefined)}>
        {releasing !== undefined && (
          <>
            <p>
              Breaker <span className="mono">{releasing.breakerId}</span> ({releasing.action}) on {shortArn(releasing.keyArn)}
              {releasing.principal !== undefined && <> for {shortArn(releasing.principal)}</>} will be released on this node: the requests it refuses will work again at once. The release is audited.
            </p>
            <label>
              Reason (for the audit trail)
              <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={1024} />
            </label>
          </>
        )}
      </ConfirmDialog>
    </section>
  );
}
