import { useState } from 'react';
import { ErrorBanner } from '../../components/ErrorBanner';
import type { ApprovalRequest } from '../../lib/ops-approvals';
import { approvalStatusClass, formatTime, shortArn } from '../../lib/ops-format';
import { useOperation } from '../../lib/use-operation';
import { ApprovalDetail } from './ApprovalDetail';
import { ApprovalRules } from './ApprovalRules';
import './ops.css';

type Shown = 'Pending' | 'Review' | 'Approved' | 'Denied' | 'Executed' | 'Expired' | 'All';
const LABELS: Record<Shown, string> = {
  Pending: 'Pending',
  Review: 'For review (run by breaking glass)',
  Approved: 'Approved, not executed',
  Denied: 'Denied',
  Executed: 'Executed',
  Expired: 'Expired',
  All: 'All',
};

/**
 * `#/approvals`: held requests (issue 18, docs/governance.md). The list, then one request's detail with
 * Approve / Deny (a reason is required) and Execute; the rules, read-only, below. `approvalId` opens one
 * request directly (for a route such as `#/approvals/apr-…`).
 */
export function Approvals({ approvalId }: { approvalId?: string } = {}) {
  const [shown, setShown] = useState<Shown>('Pending');
  const [selected, setSelected] = useState<string | undefined>(approvalId);
  const input = shown === 'Review' ? { Review: true } : shown === 'All' ? {} : { Status: shown };
  const list = useOperation<{ ApprovalRequests: ApprovalRequest[] }>('ArcaService.ListApprovalRequests', { ...input, Limit: 100 });
  const rows = list.data?.ApprovalRequests ?? [];
  return (
    <section className="ops">
      <h1>Approvals</h1>
      <p className="muted">Operations covered by an approval rule are held until approvers decide; the requester (or the rule’s executor) then runs them.</p>
      <div className="filters">
        <label>
          Show
          <select value={shown} onChange={(e) => setShown(e.target.value as Shown)}>
            {(Object.keys(LABELS) as Shown[]).map((s) => (
              <option key={s} value={s}>{LABELS[s]}</option>
            ))}
          </select>
        </label>
        <button type="button" onClick={list.reload}>Refresh</button>
      </div>
      <p role="status" className="muted">{list.loading ? 'Loading requests…' : `${rows.length} request(s): ${LABELS[shown].toLowerCase()}.`}</p>
      <ErrorBanner error={list.error} />
      <div className="split">
        <div>
          {rows.length === 0 && !list.loading && list.error === undefined && <p>No requests.</p>}
          {rows.length > 0 && (
            <div className="table-wrap">
              <table aria-label="Approval requests">
                <thead>
                  <tr>
                    <th scope="col">Request</th>
                    <th scope="col">Operation</th>
                    <th scope="col">Keys</th>
                    <th scope="col">Requester</th>
                    <th scope="col">Status</th>
                    <th scope="col">Created</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr key={r.ApprovalId} aria-selected={selected === r.ApprovalId}>
                      <td>
                        <button type="button" className="link mono" onClick={() => setSelected(r.ApprovalId)} aria-label={`Open ${r.Operation} request ${r.ApprovalId}`}>
                          {r.ApprovalId}
                        </button>
                      </td>
                      <td>{r.Operation}</td>
                      <td className="mono">{r.KeyArns.map((k) => <div key={k} title={k}>{shortArn(k)}</div>)}</td>
                      <td title={r.RequesterArn}>{shortArn(r.RequesterArn)}</td>
                      <td><span className={approvalStatusClass(r.Status)}>{r.Status}</span></td>
                      <td className="nowrap">{formatTime(r.CreatedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
        <div>{selected !== undefined && <ApprovalDetail key={selected} approvalId={selected} onChanged={list.reload} onClose={() => setSelected(undefined)} />}</div>
      </div>
      <ApprovalRules />
    </section>
  );
}
