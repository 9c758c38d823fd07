import { ErrorBanner } from '../../components/ErrorBanner';
import { useOperation } from '../../lib/use-operation';

interface Rule {
  readonly RuleName: string;
  readonly Description?: string;
  readonly Operations: readonly string[];
  readonly Keys: { KeyArns: readonly string[]; Aliases: readonly string[]; Tags: readonly { TagKey: string; TagValue: string }[] };
  readonly Approvers: { PrincipalArns: readonly string[]; Tag?: { TagKey: string; TagValue: string }; BreakGlassPrincipalArns: readonly string[] };
  readonly Quorum: number;
  readonly RequireMfa: boolean;
  readonly Executor: string;
  readonly ExpiresAfterSeconds: number;
}

const keysOf = (r: Rule): string =>
  [...r.Keys.KeyArns, ...r.Keys.Aliases, ...r.Keys.Tags.map((t) => `tag ${t.TagKey}=${t.TagValue}`)].join(', ') || 'every key';
const approversOf = (r: Rule): string =>
  [...r.Approvers.PrincipalArns, ...(r.Approvers.Tag === undefined ? [] : [`tag ${r.Approvers.Tag.TagKey}=${r.Approvers.Tag.TagValue}`])].join(', ') || '—';

/** The approval rules, read-only: they are managed with `arca approvals rule put` or an apply file. */
export function ApprovalRules() {
  const rules = useOperation<{ Rules: Rule[] }>('ArcaService.ListApprovalRules', {});
  const rows = rules.data?.Rules ?? [];
  return (
    <section aria-labelledby="rules-title">
      <h2 id="rules-title">Approval rules</h2>
      <p className="muted">Read-only here: rules are managed with the CLI or an apply file.</p>
      <ErrorBanner error={rules.error} />
      {rules.loading && <p>Loading rules…</p>}
      {!rules.loading && rows.length === 0 && rules.error === undefined && <p>No approval rule: no operation is held.</p>}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table aria-label="Approval rules">
            <thead>
              <tr>
                <th scope="col">Rule</th>
                <th scope="col">Operations</th>
                <th scope="col">Keys</th>
                <th scope="col">Approvers</th>
                <th scope="col">Quorum</th>
                <th scope="col">Executor</th>
                <th scope="col">Expires after</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.RuleName}>
                  <td>{r.RuleName}{r.Description !== undefined && <div className="muted">{r.Description}</div>}</td>
                  <td>{r.Operations.join(', ')}</td>
                  <td>{keysOf(r)}</td>
                  <td>{approversOf(r)}</td>
                  <td>{r.Quorum}{r.RequireMfa && ' (MFA)'}</td>
                  <td>{r.Executor}</td>
                  <td>{Math.round(r.ExpiresAfterSeconds / 3600)} h</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
