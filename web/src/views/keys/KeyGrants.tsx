import { useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useOperation } from '../../lib/use-operation';
import { OutcomeBanner } from './OutcomeBanner';
import { useChange } from './use-change';

interface Grant { GrantId: string; Name?: string; GranteePrincipal?: string; Operations?: string[]; RetiringPrincipal?: string }

/** The key's grants (ListGrants), each revocable after a confirmation. */
export function KeyGrants({ keyId, region }: { keyId: string; region: string | undefined }) {
  const grants = useOperation<{ Grants?: Grant[] }>('TrentService.ListGrants', { KeyId: keyId, Limit: 100 }, true, region);
  const { busy, outcome, run } = useChange(region);
  const [revoking, setRevoking] = useState<Grant | undefined>(undefined);
  const list = grants.data?.Grants ?? [];
  return (
    <section aria-labelledby="grants-h">
      <h2 id="grants-h">Grants</h2>
      <ErrorBanner error={grants.error} />
      <OutcomeBanner outcome={outcome} />
      {list.length === 0 ? (
        <p className="muted">No grant.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead><tr><th scope="col">Grant</th><th scope="col">Grantee</th><th scope="col">Operations</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {list.map((g) => (
                <tr key={g.GrantId}>
                  <td className="mono">{g.Name ?? g.GrantId}</td>
                  <td className="mono">{g.GranteePrincipal ?? '—'}</td>
                  <td>{(g.Operations ?? []).join(', ')}</td>
                  <td><button type="button" className="danger" disabled={busy} onClick={() => setRevoking(g)}>Revoke</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {revoking !== undefined && (
<ConfirmDialog
        open={revoking !== undefined}
        title="Revoke this grant?"
        confirmLabel="Revoke grant"
        danger
        busy={busy}
        onCancel={() => setRevoking(undefined)}
        onConfirm={() => {
          const g = revoking;
          setRevoking(undefined);
          if (g !== undefined) void run('TrentService.RevokeGrant', { KeyId: keyId, GrantId: g.GrantId }, `Grant ${g.GrantId} revoked.`, grants.reload);
        }}
      >
        <p>
          {revoking?.GranteePrincipal ?? 'The grantee'} loses what this grant allows ({(revoking?.Operations ?? []).join(', ')}) from now on, and grant tokens of this grant stop working. This cannot be undone: a new grant would be needed.
        </p>
      </ConfirmDialog>
      )}
    </section>
  );
}
