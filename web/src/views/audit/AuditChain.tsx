import { useEffect, useRef, useState } from 'react';
import { useApi, useSession } from '../../auth/session';
import { ErrorBanner } from '../../components/ErrorBanner';
import { checkCheckpoint, type CheckedCheckpoint } from '../../lib/audit-canonical';
import { checkConsistency, parsePublicKey, verifyChain, type ConsistencyAnswer, type ExportPage, type VerifiedHead, type VerifyResult } from '../../lib/audit-verify';
import { fromBase64 } from '../../lib/merkle';
import { useOperation } from '../../lib/use-operation';
import { VerifyResultView } from './VerifyResultView';
import './audit.css';

interface ListedChain {
  readonly Node: string;
  readonly ChainId: string;
  readonly Events: number;
  readonly ThisNode: boolean;
  readonly PublicKey: string;
  readonly LatestTreeHead?: { readonly TreeSize: number; readonly Timestamp: string };
}

interface Checkpoint {
  readonly Checkpoint: string;
  readonly TreeSize: number;
  readonly RootHash: string;
  readonly Timestamp: string;
  readonly PublicKey: string;
}

/**
 * The last head each chain verified to in this tab (endpoint + chain id), kept in memory only: the next
 * verification proves the new head extends it (a consistency proof), so a rewritten history is caught.
 */
const lastVerified = new Map<string, VerifiedHead>();

export type Consistency = { readonly checked: false } | { readonly checked: true; readonly ok: boolean; readonly from: VerifiedHead };

/** `#/audit/chain`: each node's chain, its latest signed checkpoint, and a verification of the whole chain in the browser. */
export function AuditChain() {
  const api = useApi();
  const { session } = useSession();
  const chains = useOperation<{ ThisChainId?: string; Chains?: ListedChain[] }>('ArcaService.ListAuditChains', {});
  const [chainId, setChainId] = useState<string | undefined>(undefined);
  const selected = chains.data?.Chains?.find((c) => c.ChainId === (chainId ?? chains.data?.ThisChainId));
  const checkpoint = useOperation<Checkpoint>('ArcaService.GetAuditCheckpoint', { ChainId: selected?.ChainId }, selected !== undefined);
  const [pinned, setPinned] = useState('');
  const pinnedKey = pinned.trim() === '' ? undefined : parsePublicKey(pinned);
  const [checked, setChecked] = useState<CheckedCheckpoint | undefined>(undefined);
  const [progress, setProgress] = useState<{ done: number; total: number } | undefined>(undefined);
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<{ verify: VerifyResult; consistency: Consistency } | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const abort = useRef<AbortController | undefined>(undefined);
  const memoryKey = `${session?.endpoint.origin ?? ''} ${selected?.ChainId ?? ''}`;
  const remembered = lastVerified.get(memoryKey);

  // The checkpoint's signature, checked here with the pinned key (or the server's when none is pinned).
  const cp = checkpoint.data;
  useEffect(() => {
    if (cp === undefined) return;
    const key = (pinned.trim() === '' ? undefined : parsePublicKey(pinned)) ?? fromBase64(cp.PublicKey) ?? new Uint8Array(0);
    let live = true;
    void checkCheckpoint(cp.Checkpoint, key).then((c) => live && setChecked(c));
    return () => {
      live = false;
    };
  }, [cp, pinned]);

  useEffect(() => () => abort.current?.abort(), []);

  const verify = async (): Promise<void> => {
    if (selected === undefined) return;
    const ctl = new AbortController();
    abort.current = ctl;
    setRunning(true);
    setResult(undefined);
    setError(undefined);
    setProgress({ done: 0, total: selected.Events });
    try {
      const on = { ChainId: selected.ChainId };
      const verifyResult = await verifyChain({
        fetchPage: (from) => api<ExportPage>('ArcaService.ExportAuditLog', { FromSequence: from, Limit: 500, ...on }, ctl.signal),
        pinnedKey,
        expected: selected.Events,
        signal: ctl.signal,
        onProgress: (done, total) => setProgress({ done, total }),
      });
      let consistency: Consistency = { checked: false };
      const now = verifyResult.verified;
      const before = lastVerified.get(memoryKey);
      if (verifyResult.ok && now !== undefined && before !== undefined) {
        // A smaller head than the remembered one cannot extend it (checkConsistency says so without asking).
        const answer = before.treeSize >= now.treeSize ? {} : await api<ConsistencyAnswer>('ArcaService.GetAuditProof', { FirstTreeSize: before.treeSize, TreeSize: now.treeSize, ...on }, ctl.signal);
        consistency = { checked: true, ok: await checkConsistency(before, now, answer), from: before };
      }
      if (verifyResult.ok && now !== undefined && (consistency.checked === false || consistency.ok)) lastVerified.set(memoryKey, now);
      if (!ctl.signal.aborted) {
        setResult({ verify: verifyResult, consistency });
        // The export signed a fresh head: show it in the table and the checkpoint.
        chains.reload();
        checkpoint.reload();
      }
    } catch (e) {
      if (!ctl.signal.aborted) setError(e);
    } finally {
      if (!ctl.signal.aborted) setRunning(false);
    }
  };
  const cancel = (): void => {
    abort.current?.abort();
    setRunning(false);
    setProgress(undefined);
  };

  return (
    <section aria-labelledby="chain-h1">
      <h1 id="chain-h1">Audit chain</h1>
      <ErrorBanner error={chains.error} />
      <h2>Chains</h2>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">Chain ID</th>
              <th scope="col">Events</th>
              <th scope="col">Latest signed tree head</th>
            </tr>
          </thead>
          <tbody>
            {(chains.data?.Chains ?? []).map((c) => (
              <tr key={c.ChainId}>
                <td>
                  {c.Node} {c.ThisNode && <span className="badge badge-ok">this node</span>}
                </td>
                <td className="mono">{c.ChainId}</td>
                <td>{c.Events}</td>
                <td>{c.LatestTreeHead === undefined ? <span className="muted">none yet</span> : `size ${c.LatestTreeHead.TreeSize}, ${new Date(c.LatestTreeHead.Timestamp).toLocaleString()}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {chains.loading && <p role="status">Loading chains…</p>}
      {(chains.data?.Chains?.length ?? 0) > 1 && (
        <label>
          Chain to inspect
          <select value={selected?.ChainId ?? ''} onChange={(e) => (setChainId(e.target.value), setResult(undefined), setChecked(undefined))}>
            {(chains.data?.Chains ?? []).map((c) => (
              <option key={c.ChainId} value={c.ChainId}>
                {c.Node} ({c.ChainId})
              </option>
            ))}
          </select>
        </label>
      )}

      <h2>Latest signed checkpoint</h2>
      <ErrorBanner error={checkpoint.error} />
      {cp !== undefined && (
        <>
          <dl className="props">
            <dt>Tree size</dt>
            <dd>{cp.TreeSize}</dd>
            <dt>Root hash</dt>
            <dd className="mono">{cp.RootHash}</dd>
            <dt>Signed at</dt>
            <dd>{new Date(cp.Timestamp).toLocaleString()}</dd>
            <dt>Signature</dt>
            <dd>
              <span role="status">
                {checked === undefined ? 'checking…' : checked.signatureValid && checked.treeSize === cp.TreeSize && checked.rootHashHex === cp.RootHash ? <span className="badge badge-ok">valid ({pinnedKey !== undefined ? 'pinned key' : 'key from the server'})</span> : <span className="badge badge-danger">INVALID for this key</span>}
              </span>
            </dd>
          </dl>
          <pre className="audit-json" tabIndex={0} aria-label="Checkpoint note (C2SP signed note)">
            {cp.Checkpoint}
          </pre>
        </>
      )}

      <h2>Verify the chain</h2>
      <label>
        <span>
          Pinned public key (base64, from <code>arca audit public-key</code>; optional)
        </span>
        <input className="audit-key mono" value={pinned} onChange={(e) => setPinned(e.target.value)} spellCheck={false} autoComplete="off" aria-invalid={pinned.trim() !== '' && pinnedKey === undefined} />
      </label>
      {pinned.trim() !== '' && pinnedKey === undefined && <p className="banner banner-error">That is not a 32-byte base64 Ed25519 public key.</p>}
      <p className="muted">
        {pinnedKey !== undefined ? 'Tree heads are checked with the pinned key.' : <>Not pinned: tree heads are checked with the key the server names, <span className="mono">{selected?.PublicKey ?? '…'}</span>. Pin a copy kept off the server to make the check independent of it.</>}
      </p>
      <p className="muted">{remembered !== undefined ? `Last verified checkpoint: size ${remembered.treeSize}, signed at ${new Date(remembered.timestamp).toLocaleString()}.` : 'No checkpoint verified yet in this session.'}</p>
      <div className="actions">
        <button type="button" className="primary" onClick={() => void verify()} disabled={running || selected === undefined || (pinned.trim() !== '' && pinnedKey === undefined)}>
          Verify
        </button>
        {running && (
          <button type="button" onClick={cancel}>
            Cancel verification
          </button>
        )}
      </div>
      {progress !== undefined && (
        <div>
          <progress className="audit-progress" value={progress.done} max={Math.max(progress.total, 1)} aria-label="Verification progress" />
          <p role="status">
            {progress.done} of {progress.total} events verified{running ? '…' : '.'}
          </p>
        </div>
      )}
      <ErrorBanner error={error} />
      {result !== undefined && <VerifyResultView result={result.verify} consistency={result.consistency} />}
    </section>
  );
}
