import { useEffect, useMemo, useState } from 'react';
import { Link } from 'wouter';
import { useSession } from '../../auth/session';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useApi } from '../../auth/session';
import { aliasesByKey, matches, needsDetails, NO_FILTERS, type KeyFilters, type KeyRow } from '../../lib/key-filters';
import { KeyUsage } from './KeyUsage';
import { StateBadge } from './StateBadge';
import './keys.css';

/** Keys whose details (DescribeKey, ListResourceTags, usage) are loaded at a time: calls stay bounded. */
const PAGE = 50;
/** Details requests in flight at once. */
const PARALLEL = 6;

type Detail = Pick<KeyRow, 'state' | 'spec' | 'usage' | 'description' | 'tags'>;

async function listAll<T>(call: (marker: string | undefined) => Promise<{ items: T[]; next?: string | undefined }>): Promise<T[]> {
  const out: T[] = [];
  let marker: string | undefined;
  do {
    const page = await call(marker);
    out.push(...page.items);
    marker = page.next;
  } while (marker !== undefined);
  return out;
}

export function KeysList() {
  const { session } = useSession();
  const home = session?.endpoint.region ?? '';
  // The region listed: requests signed for it see its keys and aliases only (docs/regions.md).
  const [region, setRegion] = useState(home);
  const [regionDraft, setRegionDraft] = useState(home);
  const [visited, setVisited] = useState<string[]>([home]);
  const api = useApi(region);
  const [keys, setKeys] = useState<{ KeyId: string; KeyArn: string }[] | undefined>(undefined);
  const [aliases, setAliases] = useState<Map<string, string[]>>(new Map());
  const [details, setDetails] = useState<Map<string, Detail>>(new Map());
  const [error, setError] = useState<unknown>(undefined);
  const [filters, setFilters] = useState<KeyFilters>(NO_FILTERS);
  const [limit, setLimit] = useState(PAGE);

  useEffect(() => {
    const ctl = new AbortController();
    setKeys(undefined);
    setError(undefined);
    Promise.all([
      listAll((m) => api<{ Keys?: { KeyId: string; KeyArn: string }[]; NextMarker?: string }>('TrentService.ListKeys', { Limit: 1000, ...(m !== undefined && { Marker: m }) }, ctl.signal).then((r) => ({ items: r.Keys ?? [], next: r.NextMarker }))),
      listAll((m) => api<{ Aliases?: { AliasName?: string; TargetKeyId?: string }[]; NextMarker?: string }>('TrentService.ListAliases', { Limit: 100, ...(m !== undefined && { Marker: m }) }, ctl.signal).then((r) => ({ items: r.Aliases ?? [], next: r.NextMarker }))),
    ]).then(
      ([k, a]) => {
        if (ctl.signal.aborted) return;
        setKeys(k);
        setAliases(aliasesByKey(a));
      },
      (e: unknown) => ctl.signal.aborted || setError(e),
    );
    return () => ctl.abort();
  }, [api]);

  const rows: KeyRow[] = useMemo(() => (keys ?? []).map((k) => ({ keyId: k.KeyId, arn: k.KeyArn, aliases: aliases.get(k.KeyId) ?? [], ...details.get(k.KeyId) })), [keys, aliases, details]);
  // Alias and region need no details: they narrow the keys first; the details are loaded for the first `limit` of those.
  const candidates = useMemo(() => rows.filter((r) => matches(r, { ...NO_FILTERS, alias: filters.alias, region })), [rows, filters.alias, region]);
  const loaded = candidates.slice(0, limit);
  const wanted = loaded.filter((r) => !details.has(r.keyId)).map((r) => r.keyId).join(',');

  useEffect(() => {
    if (wanted === '') return undefined;
    const ctl = new AbortController();
    const ids = wanted.split(',');
    (async () => {
      for (let n = 0; n < ids.length && !ctl.signal.aborted; n += PARALLEL) {
        const loaded = await Promise.all(
          ids.slice(n, n + PARALLEL).map(async (id) => {
            const [d, t] = await Promise.all([
              api<{ KeyMetadata: { KeyState?: string; KeySpec?: string; KeyUsage?: string; Description?: string } }>('TrentService.DescribeKey', { KeyId: id }, ctl.signal),
              api<{ Tags?: { TagKey: string; TagValue: string }[] }>('TrentService.ListResourceTags', { KeyId: id, Limit: 50 }, ctl.signal).catch(() => ({ Tags: undefined })),
            ]);
            const m = d.KeyMetadata;
            return [id, { state: m.KeyState, spec: m.KeySpec, usage: m.KeyUsage, description: m.Description, tags: t.Tags ?? [] }] as const;
          }),
        );
        if (!ctl.signal.aborted) setDetails((prev) => new Map([...prev, ...loaded]));
      }
    })().catch((e: unknown) => ctl.signal.aborted || setError(e));
    return () => ctl.abort();
  }, [api, wanted]);

  const shown = loaded.filter((r) => matches(r, { ...filters, region }));
  const switchRegion = () => {
    const r = regionDraft.trim();
    if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(r) || r === region) return;
    setRegion(r);
    setVisited((v) => (v.includes(r) ? v : [...v, r]));
  };
  // A key of another region opens by its ARN, so that its page signs its requests for that region.
  const href = (r: KeyRow) => `/keys/${encodeURIComponent(region === home ? r.keyId : r.arn)}`;
  const states = [...new Set([...details.values()].map((d) => d.state).filter((s): s is string => s !== undefined))].sort();
  const specs = [...new Set([...details.values()].map((d) => d.spec).filter((s): s is string => s !== undefined))].sort();
  const set = (k: keyof KeyFilters) => (e: { target: { value: string } }) => setFilters((f) => ({ ...f, [k]: e.target.value }));

  return (
    <section className="keys">
      <h1>Keys</h1>
      <div className="actions">
        <Link href="/keys/new" className="button-link primary">Create key</Link>
      </div>
      <ErrorBanner error={error} />
      <form className="filters" aria-label="Choose the region" onSubmit={(e) => (e.preventDefault(), switchRegion())}>
        <label>
          Region
          <input value={regionDraft} onChange={(e) => setRegionDraft(e.target.value)} list="key-regions" autoComplete="off" spellCheck={false} />
        </label>
        <datalist id="key-regions">{visited.map((r) => <option key={r} value={r} />)}</datalist>
        <button type="submit" disabled={regionDraft.trim() === region}>Show region</button>
      </form>
      <form className="filters" role="search" aria-label="Filter keys" onSubmit={(e) => e.preventDefault()}>
        <label>
          Alias contains
          <input type="search" value={filters.alias} onChange={set('alias')} />
        </label>
        <label>
          Tag (key=value)
          <input type="search" value={filters.tag} onChange={set('tag')} placeholder="env=prod" />
        </label>
        <label>
          State
          <select value={filters.state} onChange={set('state')}>
            <option value="">Any</option>
            {['Enabled', 'Disabled', 'PendingDeletion', 'PendingImport', 'Unavailable', ...states].filter((s, n, all) => all.indexOf(s) === n).map((s) => <option key={s}>{s}</option>)}
          </select>
        </label>
        <label>
          Key spec
          <select value={filters.spec} onChange={set('spec')}>
            <option value="">Any</option>
            {specs.map((s) => <option key={s}>{s}</option>)}
          </select>
        </label>
      </form>
      <p role="status" aria-live="polite" className="muted">
        {keys === undefined
          ? 'Loading keys…'
          : `Showing ${shown.length} of ${keys.length} keys in ${region}.${needsDetails(filters) && candidates.length > loaded.length ? ` State, spec and tag filters apply to the first ${loaded.length} of ${candidates.length} keys loaded.` : ''}`}
      </p>
      <div className="table-wrap">
        <table className="keys-table">
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Aliases</th>
              <th scope="col">State</th>
              <th scope="col">Key spec</th>
              <th scope="col">Tags</th>
              <th scope="col">Use, 14 days</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.keyId}>
                <td>
                  <Link href={href(r)} className="mono key-link">{r.keyId}</Link>
                  {r.description !== undefined && r.description !== '' && <div className="muted">{r.description}</div>}
                </td>
                <td>{r.aliases.join(', ')}</td>
                <td>{r.state === undefined ? '…' : <StateBadge state={r.state} />}</td>
                <td>{r.spec ?? '…'}</td>
                <td>{(r.tags ?? []).map((t) => `${t.TagKey}=${t.TagValue}`).join(', ')}</td>
                <td><KeyUsage keyArn={r.arn} maxPages={1} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {candidates.length > loaded.length && (
        <div className="actions">
          <button type="button" onClick={() => setLimit((l) => l + PAGE)}>Load {Math.min(PAGE, candidates.length - loaded.length)} more keys</button>
        </div>
      )}
    </section>
  );
}
