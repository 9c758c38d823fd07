import { ErrorBanner } from '../../components/ErrorBanner';
import { formatTime } from '../../lib/ops-format';
import { useOperation } from '../../lib/use-operation';
import { MetricsOverview } from './MetricsOverview';
import './ops.css';

interface SealStatus {
  readonly Initialized: boolean;
  readonly Sealed: boolean;
  readonly RootType: string;
  readonly Threshold: number;
  readonly Shares: number;
  readonly Progress: number;
  readonly SealedReason?: string;
}

interface ClusterNode {
  readonly Name: string;
  readonly Status: 'up' | 'stale' | string;
  readonly Sealed: boolean;
  readonly Leader: boolean;
  readonly Version: string;
  readonly StartedAt: number | string;
  readonly LastSeen: number | string;
  readonly SecondsSinceSeen: number;
}

/** `#/status`: the seal, the cluster's nodes, and the metrics overview when /metrics is served here. */
export function Status() {
  const seal = useOperation<SealStatus>('ArcaService.GetSealStatus', {});
  const nodes = useOperation<{ ThisNode: string; Nodes: ClusterNode[] }>('ArcaService.ListClusterNodes', {});
  const s = seal.data;
  return (
    <section className="ops">
      <h1>Status</h1>
      <h2>Seal</h2>
      <ErrorBanner error={seal.error} />
      <div role="status">
        {s === undefined ? (
          seal.loading && <p>Loading…</p>
        ) : (
          <dl className="props">
            <dt>State</dt>
            <dd><span className={s.Sealed ? 'badge badge-danger' : 'badge badge-ok'}>{s.Sealed ? 'Sealed' : 'Unsealed'}</span>{s.SealedReason !== undefined && ` (${s.SealedReason})`}</dd>
            <dt>Initialized</dt>
            <dd>{s.Initialized ? 'yes' : 'no'}</dd>
            <dt>Root of trust</dt>
            <dd className="mono">{s.RootType}</dd>
            {s.Threshold > 0 && (
              <>
                <dt>Unseal threshold</dt>
                <dd>{s.Threshold} of {s.Shares}{s.Sealed && `, ${s.Progress} share(s) given`}</dd>
              </>
            )}
          </dl>
        )}
      </div>
      <h2>Cluster nodes</h2>
      <ErrorBanner error={nodes.error} />
      {nodes.data !== undefined && (
        <div className="table-wrap">
          <table aria-label="Cluster nodes">
            <thead>
              <tr>
                <th scope="col">Node</th>
                <th scope="col">Status</th>
                <th scope="col">Seal</th>
                <th scope="col">Scheduler</th>
                <th scope="col">Version</th>
                <th scope="col">Started</th>
                <th scope="col">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {nodes.data.Nodes.map((n) => (
                <tr key={n.Name}>
                  <td>{n.Name}{n.Name === nodes.data?.ThisNode && <span className="muted"> (answered this page)</span>}</td>
                  <td><span className={n.Status === 'up' ? 'badge badge-ok' : 'badge badge-warn'}>{n.Status}</span></td>
                  <td>{n.Sealed ? 'Sealed' : 'Unsealed'}</td>
                  <td>{n.Leader ? 'Leader' : 'Follower'}</td>
                  <td className="mono">{n.Version}</td>
                  <td className="nowrap">{formatTime(n.StartedAt)}</td>
                  <td className="nowrap">{formatTime(n.LastSeen)} ({n.SecondsSinceSeen} s ago)</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <MetricsOverview />
    </section>
  );
}
