/** A key state as a badge whose text says it (colour is never the only signal). */
export function StateBadge({ state }: { state: string }) {
  const tone = state === 'Enabled' ? 'badge-ok' : state === 'PendingDeletion' || state === 'Unavailable' ? 'badge-danger' : 'badge-warn';
  return <span className={`badge ${tone}`}>{state}</span>;
}
