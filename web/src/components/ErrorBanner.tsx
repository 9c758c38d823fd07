import { ApiError, heldApprovalId } from '../api/client';

/**
 * An operation's error as AWS answered it: code, message and request id, announced to screen readers.
 * A change held by an approval rule (ApprovalRequiredException) is not a failure: nothing changed yet,
 * and the banner names the approval request and links to it.
 */
export function ErrorBanner({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null;
  const held = heldApprovalId(error);
  if (held !== undefined) {
    return (
      <div className="banner banner-held" role="status">
        Held for approval <code>{held}</code>: nothing changed yet. Its approvers decide in{' '}
        <a href={`#/approvals/${held}`}>Approvals</a>; once approved, it is executed from there.
      </div>
    );
  }
  const e = error instanceof ApiError ? error : undefined;
  return (
    <div className="banner banner-error" role="alert">
      <strong>{e?.code ?? 'Error'}</strong>: {error instanceof Error ? error.message : String(error)}
      {e?.requestId !== undefined && <span className="muted"> (request id {e.requestId})</span>}
    </div>
  );
}
