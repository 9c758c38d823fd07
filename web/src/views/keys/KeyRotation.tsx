import { useState } from 'react';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useOperation } from '../../lib/use-operation';
import { OutcomeBanner } from './OutcomeBanner';
import { useChange } from './use-change';

interface RotationStatus { KeyRotationEnabled?: boolean; RotationPeriodInDays?: number; NextRotationDate?: string | number }
interface Rotations { Rotations?: { KeyMaterialId?: string; RotationDate?: string | number; RotationType?: string }[] }

const when = (v: string | number | undefined) => (v === undefined ? '—' : new Date(typeof v === 'number' ? v * 1000 : v).toUTCString());

/** Automatic rotation (period 90–2560 days) and the key's material generations (ListKeyRotations). */
export function KeyRotation({ keyId, region, symmetric }: { keyId: string; region: string | undefined; symmetric: boolean }) {
  const status = useOperation<RotationStatus>('TrentService.GetKeyRotationStatus', { KeyId: keyId }, symmetric, region);
  const rotations = useOperation<Rotations>('TrentService.ListKeyRotations', { KeyId: keyId, Limit: 100 }, symmetric, region);
  const { busy, outcome, run } = useChange(region);
  const [period, setPeriod] = useState(365);
  const valid = Number.isInteger(period) && period >= 90 && period <= 2560;
  const reload = () => (status.reload(), rotations.reload());
  if (!symmetric) return (
    <section aria-labelledby="rotation-h">
      <h2 id="rotation-h">Rotation</h2>
      <p className="muted">Automatic rotation applies to symmetric encryption keys only.</p>
    </section>
  );
  const enabled = status.data?.KeyRotationEnabled === true;
  return (
    <section aria-labelledby="rotation-h">
      <h2 id="rotation-h">Rotation</h2>
      <ErrorBanner error={status.error} />
      <OutcomeBanner outcome={outcome} />
      <p>
        Automatic rotation: <strong>{status.data === undefined ? '…' : enabled ? `on, every ${status.data.RotationPeriodInDays ?? 365} days (next ${when(status.data.NextRotationDate)})` : 'off'}</strong>
      </p>
      <div className="keys-inline-form">
        <label>
          Rotation period (days, 90–2560)
          <input type="number" min={90} max={2560} value={period} onChange={(e) => setPeriod(Number(e.target.value))} aria-invalid={!valid} />
        </label>
        <button type="button" disabled={busy || !valid} onClick={() => void run('TrentService.EnableKeyRotation', { KeyId: keyId, RotationPeriodInDays: period }, `Automatic rotation is on, every ${period} days.`, reload)}>
          {enabled ? 'Change period' : 'Enable rotation'}
        </button>
        {enabled && <button type="button" disabled={busy} onClick={() => void run('TrentService.DisableKeyRotation', { KeyId: keyId }, 'Automatic rotation is off.', reload)}>Disable rotation</button>}
      </div>
      <h3>Material generations</h3>
      <ErrorBanner error={rotations.error} />
      {(rotations.data?.Rotations ?? []).length === 0 ? (
        <p className="muted">No rotation yet: the key has its original material only.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead><tr><th scope="col">Rotated</th><th scope="col">Type</th><th scope="col">Key material id</th></tr></thead>
            <tbody>
              {(rotations.data?.Rotations ?? []).map((r, n) => (
                <tr key={r.KeyMaterialId ?? n}><td>{when(r.RotationDate)}</td><td>{r.RotationType ?? '—'}</td><td className="mono">{r.KeyMaterialId ?? '—'}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
