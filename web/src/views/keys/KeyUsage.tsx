import { Sparkline } from '../../components/Sparkline';
import { usageLabel } from '../../lib/key-usage';
import { useKeyUsage } from './use-key-usage';

/** A key's 14-day usage sparkline (or why it is missing: the caller may not read the audit trail). */
export function KeyUsage({ keyArn, refresh, maxPages }: { keyArn: string; refresh?: number; maxPages?: number }) {
  const usage = useKeyUsage(keyArn, refresh, maxPages);
  if (usage.error !== undefined) return <span className="muted">usage unavailable</span>;
  if (usage.counts === undefined) return <span className="muted">…</span>;
  const label = `${usageLabel(usage.counts, new Date())}${usage.truncated ? ' (at least: more events than were read)' : ''}`;
  return <Sparkline values={usage.counts} label={label} />;
}
