import { useState } from 'react';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatTime } from '../../lib/ops-format';
import { useOperation } from '../../lib/use-operation';
import './ops.css';

interface PrincipalRow {
  readonly PrincipalName: string;
  readonly PrincipalType: string;
  readonly PrincipalId: string;
  readonly Arn: string;
  readonly CreateDate: number | string;
}

interface PrincipalDetail extends PrincipalRow {
  readonly Tags: readonly { TagKey: string; TagValue: string }[];
  readonly PolicyNames: readonly string[];
  readonly AssumeRolePolicyDocument?: string;
  readonly MaxSessionDuration?: number;
  readonly MfaDevices: readonly { SerialNumber: string; EnableDate: number | string }[];
}

/** A policy document pretty-printed when it is JSON, as stored otherwise. */
function pretty(doc: string | undefined): string {
  if (doc === undefined) return '';
  try {
    return JSON.stringify(JSON.parse(doc), null, 2);
  } catch {
    return doc;
  }
}

function Policy({ principal, name }: { principal: string; name: string }) {
  const got = useOperation<{ PolicyDocument: string }>('ArcaService.GetPrincipalPolicy', { PrincipalName: principal, PolicyName: name });
  return (
    <>
      <h4>Policy {name}</h4>
      <ErrorBanner error={got.error} />
      {got.loading ? <p>Loading…</p> : <pre className="doc" aria-label={`Policy ${name}`}>{pretty(got.data?.PolicyDocument)}</pre>}
    </>
  );
}

function Detail({ name, onClose }: { name: string; onClose(): void }) {
  const got = useOperation<{ Principal: PrincipalDetail }>('ArcaService.GetPrincipal', { PrincipalName: name });
  const [policy, setPolicy] = useState<string | undefined>(undefined);
  const p = got.data?.Principal;
  return (
    <article className="panel" aria-labelledby="principal-title">
      <h2 id="principal-title">{name}</h2>
      <div className="actions">
        <button type="button" onClick={onClose}>Close</button>
      </div>
      <ErrorBanner error={got.error} />
      {got.loading && p === undefined && <p>Loading…</p>}
      {p !== undefined && (
        <>
          <dl className="props">
            <dt>Type</dt>
            <dd>{p.PrincipalType}</dd>
            <dt>ARN</dt>
            <dd className="mono">{p.Arn}</dd>
            <dt>Id</dt>
            <dd className="mono">{p.PrincipalId}</dd>
            <dt>Created</dt>
            <dd>{formatTime(p.CreateDate)}</dd>
            <dt>Tags</dt>
            <dd>{p.Tags.length === 0 ? 'none' : p.Tags.map((t) => <div key={t.TagKey} className="mono">{t.TagKey}={t.TagValue}</div>)}</dd>
            <dt>MFA devices</dt>
            <dd>{p.MfaDevices.length === 0 ? 'none' : p.MfaDevices.map((m) => <div key={m.SerialNumber}><span className="mono">{m.SerialNumber}</span>, enabled {formatTime(m.EnableDate)}</div>)}</dd>
            {p.MaxSessionDuration !== undefined && (
              <>
                <dt>Maximum session</dt>
                <dd>{Math.round(p.MaxSessionDuration / 60)} min</dd>
              </>
            )}
          </dl>
          {p.AssumeRolePolicyDocument !== undefined && (
            <>
              <h3>Trust policy</h3>
              <pre className="doc" aria-label="Trust policy">{pretty(p.AssumeRolePolicyDocument)}</pre>
            </>
          )}
          <h3>Identity policies</h3>
          {p.PolicyNames.length === 0 ? (
            <p>No identity policy.</p>
          ) : (
            <ul>
              {p.PolicyNames.map((n) => (
                <li key={n}>
                  <button type="button" className="link" aria-expanded={policy === n} onClick={() => setPolicy(policy === n ? undefined : n)}>{n}</button>
                </li>
              ))}
            </ul>
          )}
          {policy !== undefined && <Policy principal={name} name={policy} />}
        </>
      )}
    </article>
  );
}

/**
 * `#/principals`: users and roles, read-only. Changes go through the CLI (`arca principal …`) or an apply
 * file, so this view has no change button for anyone: it never offers what the caller may not do.
 */
export function Principals() {
  const [marker, setMarker] = useState<string | undefined>(undefined);
  const list = useOperation<{ Principals: PrincipalRow[]; NextMarker?: string; Truncated?: boolean }>('ArcaService.ListPrincipals', { Limit: 100, ...(marker !== undefined && { Marker: marker }) });
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const rows = list.data?.Principals ?? [];
  return (
    <section className="ops">
      <h1>Principals and roles</h1>
      <p className="muted">Read-only: principals, their keys, tags and policies are managed with the <span className="mono">arca principal</span> commands or an apply file, not here.</p>
      <p role="status" className="muted">{list.loading ? 'Loading principals…' : `${rows.length} principal(s).`}</p>
      <ErrorBanner error={list.error} />
      <div className="split">
        <div>
          {rows.length > 0 && (
            <div className="table-wrap">
              <table aria-label="Principals">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Type</th>
                    <th scope="col">ARN</th>
                    <th scope="col">Created</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((p) => (
                    <tr key={p.PrincipalId}>
                      <td><button type="button" className="link" onClick={() => setSelected(p.PrincipalName)}>{p.PrincipalName}</button></td>
                      <td>{p.PrincipalType}</td>
                      <td className="mono">{p.Arn}</td>
                      <td className="nowrap">{formatTime(p.CreateDate)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <div className="actions">
            {marker !== undefined && <button type="button" onClick={() => setMarker(undefined)}>First page</button>}
            {list.data?.NextMarker !== undefined && <button type="button" onClick={() => setMarker(list.data?.NextMarker)}>Next page</button>}
          </div>
        </div>
        <div>{selected !== undefined && <Detail key={selected} name={selected} onClose={() => setSelected(undefined)} />}</div>
      </div>
    </section>
  );
}
