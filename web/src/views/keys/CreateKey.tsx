import { useMemo, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { useApi, useSession } from '../../auth/session';
import { ErrorBanner } from '../../components/ErrorBanner';
import { aliasProblem, KEY_USAGES, parseTags, SPECS_BY_USAGE, USAGE_LABELS, type KeyUsage } from '../../lib/key-specs';
import { checkPolicy, consoleKeyPolicy, describeProblem } from '../../lib/policy';
import './keys.css';

/** The create-key wizard: a form, a review of exactly what will be sent, then CreateKey and CreateAlias. */
export function CreateKey() {
  const api = useApi();
  const { session } = useSession();
  const [, navigate] = useLocation();
  const account = session?.principalArn.split(':')[4] ?? '111122223333';
  const partition = session?.principalArn.split(':')[1] ?? 'aws';
  const [usage, setUsage] = useState<KeyUsage>('ENCRYPT_DECRYPT');
  const [spec, setSpec] = useState('SYMMETRIC_DEFAULT');
  const [description, setDescription] = useState('');
  const [alias, setAlias] = useState('');
  const [tagText, setTagText] = useState('');
  const [custom, setCustom] = useState(false);
  const [policy, setPolicy] = useState(() => consoleKeyPolicy(account, partition));
  const [reviewing, setReviewing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [created, setCreated] = useState<string | undefined>(undefined);

  const specs = SPECS_BY_USAGE[usage];
  const tags = parseTags(tagText);
  const aliasIssue = aliasProblem(alias.trim());
  const policyCheck = useMemo(() => (custom ? checkPolicy(policy) : ({ ok: true } as const)), [custom, policy]);
  const valid = specs.includes(spec) && aliasIssue === undefined && tags.problem === undefined && policyCheck.ok;

  const create = async () => {
    setBusy(true);
    setError(undefined);
    let keyId = created;
    try {
      if (keyId === undefined) {
        const out = await api<{ KeyMetadata: { KeyId: string } }>('TrentService.CreateKey', {
          KeyUsage: usage,
          KeySpec: spec,
          ...(description.trim() !== '' && { Description: description.trim() }),
          ...(tags.tags.length > 0 && { Tags: tags.tags }),
          ...(custom && { Policy: policy }),
        });
        keyId = out.KeyMetadata.KeyId;
        setCreated(keyId);
      }
      if (alias.trim() !== '') await api('TrentService.CreateAlias', { AliasName: alias.trim(), TargetKeyId: keyId });
      navigate(`/keys/${encodeURIComponent(keyId)}`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="keys keys-form">
      <p><Link href="/keys">← All keys</Link></p>
      <h1>Create key</h1>
      <ErrorBanner error={error} />
      {created !== undefined && (
        <p className="banner" role="status">
          Key <Link href={`/keys/${encodeURIComponent(created)}`} className="mono">{created}</Link> was created; the alias was not. Fix it and create again (the key is not created twice), or open the key.
        </p>
      )}
      {!reviewing ? (
        <form onSubmit={(e) => (e.preventDefault(), valid && setReviewing(true))}>
          <label>
            Key usage
            <select value={usage} onChange={(e) => {
              const u = e.target.value as KeyUsage;
              setUsage(u);
              setSpec(SPECS_BY_USAGE[u][0] ?? '');
            }}>
              {KEY_USAGES.map((u) => <option key={u} value={u}>{USAGE_LABELS[u]} ({u})</option>)}
            </select>
          </label>
          <label>
            Key spec
            <select value={spec} onChange={(e) => setSpec(e.target.value)}>
              {specs.map((s) => <option key={s}>{s}</option>)}
            </select>
          </label>
          <label>
            Description
            <input value={description} onChange={(e) => setDescription(e.target.value)} maxLength={8192} />
          </label>
          <label>
            Alias
            <input value={alias} onChange={(e) => setAlias(e.target.value)} placeholder="alias/payments" aria-invalid={aliasIssue !== undefined} aria-describedby="alias-problem" />
          </label>
          <p id="alias-problem" className="policy-problem" role="status">{aliasIssue ?? ''}</p>
          <label>
            Tags (key=value, one per line)
            <textarea rows={3} value={tagText} onChange={(e) => setTagText(e.target.value)} aria-invalid={tags.problem !== undefined} aria-describedby="tags-problem" />
          </label>
          <p id="tags-problem" className="policy-problem" role="status">{tags.problem ?? ''}</p>
          <fieldset>
            <legend>Key policy</legend>
            <label className="keys-radio"><input type="radio" name="policy" checked={!custom} onChange={() => setCustom(false)} /> Default: the account's IAM policies decide</label>
            <label className="keys-radio"><input type="radio" name="policy" checked={custom} onChange={() => setCustom(true)} /> Custom key policy (starts as the default plus arca:SimulateKeyPolicy, so the console can simulate policy changes)</label>
            {custom && (
              <>
                <label>
                  Key policy (JSON)
                  <textarea rows={14} value={policy} spellCheck={false} wrap="off" onChange={(e) => setPolicy(e.target.value)} aria-invalid={!policyCheck.ok} aria-describedby="create-policy-check" />
                </label>
                <p id="create-policy-check" role="status" className={policyCheck.ok ? 'policy-ok' : 'policy-problem'}>{policyCheck.ok ? 'Valid key policy.' : describeProblem(policyCheck)}</p>
              </>
            )}
          </fieldset>
          <div className="actions">
            <button type="submit" className="primary" disabled={!valid}>Review</button>
          </div>
        </form>
      ) : (
        <div>
          <h2>Review</h2>
          <dl className="props">
            <dt>Key usage</dt><dd>{usage}</dd>
            <dt>Key spec</dt><dd>{spec}</dd>
            <dt>Description</dt><dd>{description.trim() === '' ? '—' : description.trim()}</dd>
            <dt>Alias</dt><dd>{alias.trim() === '' ? '—' : alias.trim()}</dd>
            <dt>Tags</dt><dd>{tags.tags.length === 0 ? '—' : tags.tags.map((t) => `${t.TagKey}=${t.TagValue}`).join(', ')}</dd>
            <dt>Key policy</dt><dd>{custom ? 'Custom (below)' : 'Default'}</dd>
          </dl>
          {custom && <pre className="keys-pre">{policy}</pre>}
          <div className="actions">
            <button type="button" onClick={() => setReviewing(false)} disabled={busy}>Back</button>
            <button type="button" className="primary" onClick={() => void create()} disabled={busy}>{busy ? 'Creating…' : 'Create key'}</button>
          </div>
        </div>
      )}
    </section>
  );
}
