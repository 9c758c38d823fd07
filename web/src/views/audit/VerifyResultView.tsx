import type { VerifyResult } from '../../lib/audit-verify';
import type { Consistency } from './AuditChain';

/** The verdict of a chain verification: verified up to a signed size and time, or the first divergence. */
export function VerifyResultView({ result, consistency }: { result: VerifyResult; consistency: Consistency }) {
  const key = result.keySource === 'pinned' ? 'the pinned public key' : 'the public key the server named (not pinned)';
  if (!result.ok) {
    const d = result.divergence;
    return (
      <div className="banner banner-error" role="alert">
        <strong>Verification FAILED: {d?.kind ?? 'unknown'}</strong>
        {d?.sequence !== undefined && ` at event ${d.sequence}${d.toSequence !== undefined && d.toSequence !== d.sequence ? `..${d.toSequence}` : ''}`}. {d?.message}
        <br />
        <span>
          {result.verified !== undefined ? `The chain verified up to tree size ${result.verified.treeSize} before that.` : 'No signed tree head verified before that.'} Checked with {key}.
        </span>
      </div>
    );
  }
  const v = result.verified;
  const inconsistent = consistency.checked && !consistency.ok;
  return (
    <div className={`banner ${inconsistent ? 'banner-error' : 'banner-ok'}`} role={inconsistent ? 'alert' : 'status'}>
      {inconsistent ? (
        <strong>Verification FAILED: inconsistent with the last verified checkpoint (size {consistency.from.treeSize}): the history was rewritten.</strong>
      ) : (
        <strong>
          Verified: {result.events} events; the chain verified up to tree size {v?.treeSize ?? 0}
          {v !== undefined && <> signed at {new Date(v.timestamp).toLocaleString()}</>}.
        </strong>
      )}
      <br />
      <span>
        Every event&apos;s leaf hash, the Merkle root at every signed tree head and each head&apos;s Ed25519 signature were checked in this browser with {key}.
        {result.unsignedTail > 0 && ` ${result.unsignedTail} newer event(s) are not yet under a signed tree head.`}
        {consistency.checked && consistency.ok && ` Consistent with the last verified checkpoint (size ${consistency.from.treeSize}): a consistency proof verified.`}
      </span>
      {v !== undefined && (
        <>
          <br />
          <span className="mono">root {v.rootHash}</span>
        </>
      )}
    </div>
  );
}
