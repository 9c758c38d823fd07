import { heldApprovalId } from '../../api/client';
import { ErrorBanner } from '../../components/ErrorBanner';

/**
 * A change's error: when an approval rule holds it (ApprovalRequiredException), nothing changed yet and
 * the request waits for approvers, so this says so with the approval id and a link to the approvals;
 * any other error is shown as AWS answered it.
 */
export function OpsError({ error }: { error: unknown }) {
  const held = heldApprovalId(error);
  if (held === undefined) return <ErrorBanner error={error} />;
  return (
    <div className="banner" role="status">
      Held for approval: nothing changed yet. Approval request <span className="mono">{held}</span> waits for its approvers;{' '}
      <a href="#/approvals">open Approvals</a> to follow it, then execute it once approved.
    </div>
  );
}
