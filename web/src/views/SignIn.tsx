import { useState, type FormEvent } from 'react';
import { signInWithAccessKey } from '../auth/access-key';
import { useSession } from '../auth/session';
import { ErrorBanner } from '../components/ErrorBanner';

export function SignIn() {
  const { config, signIn, endedBecause } = useSession();
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const get = (k: string) => String(f.get(k) ?? '').trim();
    setBusy(true);
    setError(undefined);
    try {
      signIn(await signInWithAccessKey(config, { accessKeyId: get('accessKeyId'), secretAccessKey: String(f.get('secretAccessKey') ?? ''), mfaSerial: get('mfaSerial'), mfaCode: get('mfaCode') }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="signin" id="main">
      <h1>Sign in to Arca</h1>
      {endedBecause !== undefined && <p className="banner" role="status">{endedBecause}</p>}
      <ErrorBanner error={error} />
      <form onSubmit={(e) => void submit(e)} autoComplete="off">
        <label>
          Access key ID
          <input name="accessKeyId" required spellCheck={false} />
        </label>
        <label>
          Secret access key
          <input name="secretAccessKey" type="password" required />
        </label>
        <fieldset>
          <legend>Multi-factor authentication{config.requireMfa ? '' : ' (if your account has a device)'}</legend>
          <label>
            MFA device serial number
            <input name="mfaSerial" required={config.requireMfa} spellCheck={false} placeholder="arn:aws:iam::111122223333:mfa/alice" />
          </label>
          <label>
            MFA code
            <input name="mfaCode" required={config.requireMfa} inputMode="numeric" pattern="[0-9]{6}" autoComplete="one-time-code" />
          </label>
        </fieldset>
        <button type="submit" className="primary" disabled={busy}>Sign in</button>
      </form>
    </main>
  );
}
