import { useEffect, useState } from 'react';
import { useApi } from '../../auth/session';
import { bucketDaily, isKeyUse, usageWindowStart } from '../../lib/key-usage';

/** Pages read at most per key (1000 events each): the sparkline stays bounded for a very busy key. */
const MAX_PAGES = 5;

/**
 * A key's daily cryptographic use over the last 14 days, from ArcaService.ListAuditEvents (KeyId,
 * StartTime); `truncated` when the key had more events than were read. `refresh` changes re-read it.
 */
export function useKeyUsage(keyArn: string | undefined, refresh = 0): { counts?: number[]; truncated: boolean; error?: unknown } {
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
      } while (marker !== undefined && pages < MAX_PAGES);
      return { counts: bucketDaily(events.filter(isKeyUse), now), truncated: marker !== undefined };
    })().then(
      (s) => ctl.signal.aborted || setState(s),
      (error: unknown) => ctl.signal.aborted || setState({ truncated: false, error }),
    );
    return () => ctl.abort();
  }, [api, keyArn, refresh]);
  return state;
}
