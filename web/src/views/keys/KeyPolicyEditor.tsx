import { useEffect, useMemo, useState } from 'react';
import { ApiError } from '../../api/client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorBanner } from '../../components/ErrorBanner';
import { checkPolicy, describeProblem } from '../../lib/policy';
import { useApi } from '../../auth/session';
import { useOperation } from '../../lib/use-operation';
import { OutcomeBanner } from './OutcomeBanner';
import { useChange } from './use-change';

interface Change { EventId: string; EventTime?: string | number; EventName: string; Principal: string; Action: string; Change: 'ALLOWED_TO_DENIED' | 'DENIED_TO_ALLOWED' }
interface Simulation { Replayed: number; Evaluated: number; Changes?: Change[]; Unknown?: { Reason: string; Count: number }[]; Truncated?: boolean }

const when = (v: string | number | undefined) => (v === undefined ? '—' : new Date(typeof v === 'number' ? v * 1000 : v).toISOString().replace('T', ' ').slice(0, 19));

/**
 * The key policy in an editor: validated as you type (lib/policy.ts), simulated against the key's recorded
 * requests (ArcaService.SimulateKeyPolicy) and only then saved (PutKeyPolicy) after a confirmation.
 */
export function KeyPolicyEditor({ keyId, region }: { keyId: string; region: string | undefined }) {
  const api = useApi(region);
  const stored = useOperation<{ Policy?: string }>('TrentService.GetKeyPolicy', { KeyId: keyId, PolicyName: 'default' }, true, region);
  const [text, setText] = useState<string | undefined>(undefined);
  const [simulated, setSimulated] = useState<{ text: string; result: Simulation } | undefined>(undefined);
  const [simulating, setSimulating] = useState(false);
  const [simError, setSimError] = useState<unknown>(undefined);
  const [simulatedText, setSimulatedText] = useState<string | undefined>(undefined);
  const [confirming, setConfirming] = useState(false);
  const { busy, outcome, run } = useChange(region);
  useEffect(() => {
    if (stored.data?.Policy !== undefined) setText(stored.data.Policy);
  }, [stored.data?.Policy]);
  const current = text ?? '';
  const check = useMemo(() => checkPolicy(current), [current]);
  const changed = text !== undefined && text !== stored.data?.Policy;
  const result = simulated?.text === current ? simulated.result : undefined;
  // A key whose policy does not allow arca:SimulateKeyPolicy (kms:* does not cover it) can still be re-policed:
  // a refused simulation lets Save through, and the confirmation says the effect is unknown.
  const simRefused = simError instanceof ApiError && simError.code === 'AccessDeniedException' && simulatedText === current;
  const lines = current.split('\n').length;

  const simulate = async () => {
    setSimulating(true);
    setSimError(undefined);
    setSimulatedText(current);
    try {
      const r = await api<Simulation>('ArcaService.SimulateKeyPolicy', { KeyId: keyId, PolicyDocument: current });
      setSimulated({ text: current, result: r });
    } catch (e) {
      setSimError(e);
    } finally {
      setSimulating(false);
    }
  };
  const changes = result?.Changes ?? [];
  const unknown = (result?.Unknown ?? []).reduce((a, u) => a + u.Count, 0);
  const denied = changes.filter((c) => c.Change === 'ALLOWED_TO_DENIED').length;

  return (
    <section aria-labelledby="policy-h">
      <h2 id="policy-h">Key policy</h2>
      <ErrorBanner error={stored.error} />
      <OutcomeBanner outcome={outcome} />
      <label className="policy-label">
          Key policy (JSON)
          <textarea
            value={current}
            rows={Math.min(30, Math.max(10, lines + 1))}
            spellCheck={false}
            wrap="off"
            aria-invalid={!check.ok}
            aria-describedby="policy-check"
            disabled={text === undefined}
            onChange={(e) => setText(e.target.value)}
          />
        </label>
      <p id="policy-check" role="status" aria-live="polite" className={check.ok ? 'policy-ok' : 'policy-problem'}>
        {check.ok ? `Valid key policy (${new TextEncoder().encode(current).length} of 32768 bytes).` : describeProblem(check)}
      </p>
      <div className="actions">
        <button type="button" disabled={!check.ok || !changed || simulating} onClick={() => void simulate()}>
          {simulating ? 'Simulating…' : 'Simulate'}
        </button>
        <button type="button" className="primary" disabled={!check.ok || !changed || (result === undefined && !simRefused) || busy} onClick={() => setConfirming(true)}>
          Save policy…
        </button>
        {changed && <button type="button" onClick={() => (setText(stored.data?.Policy), setSimulated(undefined))}>Discard changes</button>}
      </div>
      {changed && check.ok && result === undefined && <p className="muted">Simulate the new policy against the key's recorded requests before saving it.</p>}
      <ErrorBanner error={simError} />
      {result !== undefined && (
        <div className="simulation" role="region" aria-label="Simulation result">
          <p role="status">
            Simulation: {result.Replayed} recorded requests replayed, {result.Evaluated} evaluated; {changes.length} would change outcome ({denied} allowed → denied, {changes.length - denied} denied → allowed); {unknown} unknown.
            {result.Truncated === true && ' Older requests were not replayed.'}
          </p>
          {changes.length > 0 && (
            <div className="table-wrap">
              <table>
                <thead><tr><th scope="col">When</th><th scope="col">Operation</th><th scope="col">Principal</th><th scope="col">Change</th></tr></thead>
                <tbody>
                  {changes.map((c) => (
                    <tr key={c.EventId}>
                      <td>{when(c.EventTime)}</td>
                      <td>{c.EventName}</td>
                      <td className="mono">{c.Principal}</td>
                      <td>{c.Change === 'ALLOWED_TO_DENIED' ? 'allowed → denied' : 'denied → allowed'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {unknown > 0 && (
            <ul className="muted">
              {(result.Unknown ?? []).map((u) => <li key={u.Reason}>{u.Count} unknown: {u.Reason}</li>)}
            </ul>
          )}
        </div>
      )}
      {confirming && (
<ConfirmDialog
        open={confirming}
        title="Replace the key policy?"
        confirmLabel="Save policy"
        danger={denied > 0}
        busy={busy}
        onCancel={() => setConfirming(false)}
        onConfirm={() => {
          setConfirming(false);
          void run('TrentService.PutKeyPolicy', { KeyId: keyId, PolicyName: 'default', Policy: current }, 'The key policy is saved.', stored.reload);
        }}
      >
        <p>
          The key policy is replaced now and decides every request from then on.{' '}
          {result === undefined ? 'The simulation was refused (the key policy does not allow arca:SimulateKeyPolicy): its effect on the recorded requests is unknown.' : <>Of the recorded requests, {denied} that were allowed would be denied and {changes.length - denied} that were denied would be allowed
          {unknown > 0 ? `; ${unknown} could not be judged` : ''}.</>}
        </p>
      </ConfirmDialog>
      )}
    </section>
  );
}
