import { useState, type FormEvent } from 'react';
import { useApi, useSession } from '../../auth/session';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorBanner } from '../../components/ErrorBanner';
import { executorOf, mayDecide, mayExecute, type ApprovalRequest } from '../../lib/ops-approvals';
import { approvalStatusClass, formatTime, shortArn } from '../../lib/ops-format';
import { useOperation } from '../../lib/use-operation';

/** One held request: what it would do, who asked, each decision; Approve / Deny with a reason; Execute. */
export function ApprovalDetail({ approvalId, onChanged, onClose }: { approvalId: string; onChanged(): void; onClose(): void }) {
  const api = useApi();
  const { session } = useSession();
  const caller = session?.principalArn ?? '';
  const got = useOperation<{ ApprovalRequest: ApprovalRequest }>('ArcaService.GetApprovalRequest', { ApprovalId: approvalId });
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [done, setDone] = useState('');
  const [confirmDeny, setConfirmDeny] = useState(false);
  const [confirmExecute, setConfirmExecute] = useState(false);
  const [result, setResult] = useState<unknown>(undefined);

  async function run(what: string, target: string, input: object) {
    setBusy(true);
    setError(undefined);
    setDone('');
    try {
      const out = await api(target, input);
      setDone(what);
      if (target === 'ArcaService.ExecuteApproved') setResult(out);
      setReason('');
      got.reload();
      onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
      setConfirmDeny(false);
      setConfirmExecute(false);
    }
  }

  function approve(e: FormEvent) {
    e.preventDefault();
    void run('Approved: your decision is recorded.', 'ArcaService.ApproveRequest', { ApprovalId: approvalId, Reason: reason.trim() });
  }

  const r = got.data?.ApprovalRequest;
  const decide = r === undefined ? undefined : mayDecide(r, caller);
  return (
    <article className="panel" aria-labelledby="approval-title">
      <h2 id="approval-title">Request <span className="mono">{approvalId}</span></h2>
      <div className="actions">
        <button type="button" onClick={onClose}>Close</button>
      </div>
      <ErrorBanner error={got.error} />
      {got.loading && r === undefined && <p>Loading…</p>}
      {r !== undefined && (
        <>
          <dl className="props">
            <dt>Status</dt>
            <dd><span className={approvalStatusClass(r.Status)} data-testid="approval-status">{r.Status}</span></dd>
            <dt>Operation</dt>
            <dd>{r.Operation}</dd>
            <dt>Keys</dt>
            <dd className="mono">{r.KeyArns.length === 0 ? '—' : r.KeyArns.map((k) => <div key={k}>{k}</div>)}</dd>
            <dt>Requester</dt>
            <dd className="mono">{r.RequesterArn}</dd>
            <dt>Rule</dt>
            <dd>{r.RuleName}{r.Quorum !== undefined && ` (needs ${r.Quorum} approval(s)${r.RequireMfa === true ? ', with an MFA session' : ''}; executed by ${r.Executor === 'Approver' ? 'the approver who completes it' : 'the requester'})`}</dd>
            <dt>Approvals</dt>
            <dd>{r.Approvals}{r.Quorum !== undefined && ` of ${r.Quorum}`}</dd>
            <dt>Created</dt>
            <dd>{formatTime(r.CreatedAt)}</dd>
            <dt>Expires</dt>
            <dd>{formatTime(r.ExpiresAt)}</dd>
            {r.ExecutedAt !== undefined && (
              <>
                <dt>Executed</dt>
                <dd>{formatTime(r.ExecutedAt)} by {shortArn(r.ExecutorArn)}</dd>
              </>
            )}
          </dl>
          <h3>Parameters</h3>
          <pre className="doc" aria-label="Parameters">{JSON.stringify(r.Parameters, null, 2)}</pre>
          <h3>Decisions</h3>
          {r.Decisions.length === 0 ? (
            <p>No decision yet.</p>
          ) : (
            <div className="table-wrap">
              <table aria-label="Decisions">
                <thead>
                  <tr>
                    <th scope="col">Approver</th>
                    <th scope="col">Decision</th>
                    <th scope="col">Reason</th>
                    <th scope="col">At</th>
                  </tr>
                </thead>
                <tbody>
                  {r.Decisions.map((d) => (
                    <tr key={`${d.ApproverArn} ${String(d.DecidedAt)}`}>
                      <td title={d.ApproverArn}>{shortArn(d.ApproverArn)}</td>
                      <td>{d.Decision}</td>
                      <td>{d.Reason}</td>
                      <td className="nowrap">{formatTime(d.DecidedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <p role="status" className={done === '' ? 'muted' : 'banner banner-ok'}>{done}</p>
          <ErrorBanner error={error} />
          {decide?.offer === true ? (
            <form onSubmit={approve} aria-label="Decide">
              <h3>Decide</h3>
              <label>
                Reason (required: recorded with your decision and in the audit trail)
                <textarea value={reason} onChange={(e) => setReason(e.target.value)} required maxLength={1024} rows={2} />
              </label>
              <div className="actions">
                <button type="submit" className="primary" disabled={busy || reason.trim() === ''}>Approve</button>
                <button type="button" className="danger" disabled={busy || reason.trim() === ''} onClick={() => setConfirmDeny(true)}>Deny</button>
              </div>
            </form>
          ) : (
            decide?.why !== undefined && <p className="muted">{decide.why}</p>
          )}
          {mayExecute(r, caller) && (
            <div className="actions">
              <button type="button" className="primary" disabled={busy} onClick={() => setConfirmExecute(true)}>Execute</button>
            </div>
          )}
          {r.Status === 'Approved' && !mayExecute(r, caller) && <p className="muted">Approved: {shortArn(executorOf(r) ?? 'the executor the rule names')} can execute it.</p>}
          {result !== undefined && (
            <>
              <h3>Result</h3>
              <pre className="doc" aria-label="Result">{JSON.stringify(result, null, 2)}</pre>
            </>
          )}
          <ConfirmDialog open={confirmDeny} title="Deny the request" confirmLabel="Deny request" danger busy={busy} onConfirm={() => void run('Denied: the request is blocked for good.', 'ArcaService.DenyRequest', { ApprovalId: approvalId, Reason: reason.trim() })} onCancel={() => setConfirmDeny(false)}>
            <p>{r.Operation} requested by {shortArn(r.RequesterArn)} will be denied. One denial blocks the request for good: it can never be executed.</p>
          </ConfirmDialog>
          <ConfirmDialog open={confirmExecute} title="Execute the approved request" confirmLabel={`Run ${r.Operation}`} busy={busy} onConfirm={() => void run(`Executed: ${r.Operation} ran.`, 'ArcaService.ExecuteApproved', { ApprovalId: approvalId })} onCancel={() => setConfirmExecute(false)}>
            <p>{r.Operation} will run now, as it was requested, on {r.KeyArns.length === 0 ? 'no key' : r.KeyArns.map(shortArn).join(', ')}. It is authorized again as you, and runs once.</p>
          </ConfirmDialog>
        </>
      )}
    </article>
  );
}
