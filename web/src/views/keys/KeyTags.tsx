import { useState } from 'react';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useOperation } from '../../lib/use-operation';
import { OutcomeBanner } from './OutcomeBanner';
import { useChange } from './use-change';

/** The key's aliases (read only) and tags (add, remove). */
export function KeyTags({ keyId, region }: { keyId: string; region: string | undefined }) {
  const aliases = useOperation<{ Aliases?: { AliasName: string }[] }>('TrentService.ListAliases', { KeyId: keyId, Limit: 100 }, true, region);
  const tags = useOperation<{ Tags?: { TagKey: string; TagValue: string }[] }>('TrentService.ListResourceTags', { KeyId: keyId, Limit: 50 }, true, region);
  const { busy, outcome, run } = useChange(region);
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const add = async () => {
    if (await run('TrentService.TagResource', { KeyId: keyId, Tags: [{ TagKey: key.trim(), TagValue: value }] }, `Tag ${key.trim()} set.`, tags.reload)) {
      setKey('');
      setValue('');
    }
  };
  return (
    <>
      <section aria-labelledby="aliases-h">
        <h2 id="aliases-h">Aliases</h2>
        <ErrorBanner error={aliases.error} />
        {(aliases.data?.Aliases ?? []).length === 0 ? <p className="muted">No alias.</p> : <ul>{(aliases.data?.Aliases ?? []).map((a) => <li key={a.AliasName} className="mono">{a.AliasName}</li>)}</ul>}
      </section>
      <section aria-labelledby="tags-h">
        <h2 id="tags-h">Tags</h2>
        <ErrorBanner error={tags.error} />
        <OutcomeBanner outcome={outcome} />
        <div className="table-wrap">
          <table>
            <thead><tr><th scope="col">Key</th><th scope="col">Value</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {(tags.data?.Tags ?? []).map((t) => (
                <tr key={t.TagKey}>
                  <td>{t.TagKey}</td>
                  <td>{t.TagValue}</td>
                  <td><button type="button" disabled={busy} onClick={() => void run('TrentService.UntagResource', { KeyId: keyId, TagKeys: [t.TagKey] }, `Tag ${t.TagKey} removed.`, tags.reload)}>Remove tag {t.TagKey}</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <form className="keys-inline-form" onSubmit={(e) => (e.preventDefault(), void add())}>
          <label>Tag key<input value={key} onChange={(e) => setKey(e.target.value)} required maxLength={128} /></label>
          <label>Tag value<input value={value} onChange={(e) => setValue(e.target.value)} maxLength={256} /></label>
          <button type="submit" disabled={busy || key.trim() === ''}>Add tag</button>
        </form>
      </section>
    </>
  );
}
