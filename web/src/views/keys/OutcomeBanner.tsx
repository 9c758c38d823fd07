import { ErrorBanner } from '../../components/ErrorBanner';
import type { Outcome } from './use-change';

/** What the last change did: done, held for approval (with the id and where approvers decide), or failed. */
export function OutcomeBanner({ outcome }: { outcome: Outcome }) {
  if (outcome === undefined) return <div role="status" aria-live="polite" className="sr-status" />;
  if ('done' in outcome) {
    return (
      <div role="status" aria-live="polite" className="banner banner-ok">
        {outcome.done}
      </div>
    );
  }
  return <ErrorBanner error={outcome.error} />;
}
