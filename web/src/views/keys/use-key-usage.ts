import { useEffect, useState } from 'react';
import { useApi } from '../../auth/session';
import { bucketDaily, isKeyUse, usageWindowStart } from '../../lib/key-usage';


/**
 * A key's daily cryptographic use over the last 14 days, from ArcaService.ListAuditEvents (KeyId,
 * StartTime); `truncated` when the key had more events than were read. `maxPages` (1000 events each)
 * bounds the work for a very busy key: 1 in the list, where 50 keys load at once. `refresh` re-reads it.
 */
export function useKeyUsage(keyArn: string | undefined, refresh = 0, maxPages = 5): { counts?: number[]; truncated: boolean; error?: unknown } {
  const api = useApi();
  const [state, setState] = useState<{ counts?: number[]; truncated: boolean; error?: unknown }>({ truncated: false });
  useEffect(() => {
    if (keyArn === undefined) return undefined;
    const ctl = new AbortController();
    const now = new Date();
    (async () => {
      const events: { eventTime: string; eventName: string }[] = [];
      let marker: string | undefined;
      let pages = 0;
      do {
        const page = await api<{ Events?: { eventTime: string; eventName: string }[]; NextMarker?: string }>(
          'ArcaService.ListAuditEvents',
          { KeyId: keyArn, StartTime: usageWindowStart(now).toISOString(), Limit: 1000, ...(marker !== undefined && { Marker: marker }) },
          ctl.signal,
        );
        events.push(...(page.Events ?? []));
        marker = page.NextMarker;
        pages++;
      } while (marker !== undefined && pages < maxPages);
      return { counts: bucketDaily(events.filter(isKeyUse), now), truncated: marker !== undefined };
    })().then(
      (s) => ctl.signal.aborted || setState(s),
      (error: unknown) => ctl.signal.aborted || setState({ truncated: false, error }),
    );
    return () => ctl.abort();
  }, [api, keyArn, refresh, maxPages]);
  return state;
}
