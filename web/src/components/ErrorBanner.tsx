import { ApiError } from '../api/client';

/** An operation's error as AWS answered it: code, message and request id, announced to screen readers. */
export function ErrorBanner({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null;
  const e = error instanceof ApiError ? error : undefined;
  return (
    <div className="banner banner-error" role="alert">
      <strong>{e?.code ?? 'Error'}</strong>: {error instanceof Error ? error.message : String(error)}
      {e?.requestId !== undefined && <span className="muted"> (request id {e.requestId})</span>}
    </div>
  );
}
