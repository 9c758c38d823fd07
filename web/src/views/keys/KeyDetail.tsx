import { useState } from 'react';
import { Link } from 'wouter';
import { ErrorBanner } from '../../components/ErrorBanner';
import { regionOfKeyRef } from '../../lib/key-api';
import { useOperation } from '../../lib/use-operation';
import { KeyActions } from './KeyActions';
import { KeyGrants } from './KeyGrants';
import { KeyPolicyEditor } from './KeyPolicyEditor';
import { KeyRotation } from './KeyRotation';
import { KeyTags } from './KeyTags';
import { KeyUsage } from './KeyUsage';
import { StateBadge } from './StateBadge';
import './keys.css';

interface KeyMetadata {
  KeyId: string;
  Arn: string;
  KeyState: string;
  KeySpec?: string;
  KeyUsage?: string;
  Origin?: string;
  KeyManager?: string;
  Description?: string;
  CreationDate?: string | number;
  DeletionDate?: string | number;
  MultiRegion?: boolean;
  CurrentKeyMaterialId?: string;
}

const when = (v: string | number | undefined) => (v === undefined ? undefined : new Date(typeof v === 'number' ? v * 1000 : v).toISOString());

/** One key: metadata, usage, lifecycle, rotation, aliases, tags, grants and its policy. */
export function KeyDetail({ keyId }: { keyId: string }) {
  // A key of another region than the session's is opened by its ARN: its calls are signed for that region.
  const region = regionOfKeyRef(keyId);
  const described = useOperation<{ KeyMetadata: KeyMetadata }>('TrentService.DescribeKey', { KeyId: keyId }, true, region);
  const [refresh, setRefresh] = useState(0);
  const m = described.data?.KeyMetadata;
  const deletion = when(m?.DeletionDate);
  return (
    <section className="keys">
      <p><Link href="/keys">← All keys</Link></p>
      <h1>Key <span className="mono">{m?.KeyId ?? keyId}</span></h1>
      <ErrorBanner error={described.error} />
      {m === undefined ? (
        described.error === undefined && <p role="status">Loading…</p>
      ) : (
        <>
          <dl className="props">
            <dt>ARN</dt><dd className="mono">{m.Arn}</dd>
            <dt>State</dt><dd><StateBadge state={m.KeyState} />{deletion !== undefined && <span> — key material destroyed on {deletion} unless cancelled</span>}</dd>
            <dt>Key spec</dt><dd>{m.KeySpec ?? '—'}</dd>
            <dt>Key usage</dt><dd>{m.KeyUsage ?? '—'}</dd>
            <dt>Origin</dt><dd>{m.Origin ?? '—'}{m.KeyManager !== undefined && ` (${m.KeyManager} managed)`}</dd>
            <dt>Description</dt><dd>{m.Description === undefined || m.Description === '' ? '—' : m.Description}</dd>
            <dt>Created</dt><dd>{when(m.CreationDate) ?? '—'}</dd>
            {m.CurrentKeyMaterialId !== undefined && (<><dt>Current material</dt><dd className="mono">{m.CurrentKeyMaterialId}</dd></>)}
            <dt>Use, 14 days</dt><dd><KeyUsage keyArn={m.Arn} refresh={refresh} /> <button type="button" onClick={() => setRefresh((r) => r + 1)}>Refresh usage</button></dd>
          </dl>
          <KeyActions keyId={m.KeyId} region={region} state={m.KeyState} deletionDate={deletion} onChanged={described.reload} />
          <KeyRotation keyId={m.KeyId} region={region} symmetric={m.KeySpec === 'SYMMETRIC_DEFAULT'} />
          <KeyTags keyId={m.KeyId} region={region} />
          <KeyGrants keyId={m.KeyId} region={region} />
          <KeyPolicyEditor keyId={m.KeyId} region={region} />
        </>
      )}
    </section>
  );
}
