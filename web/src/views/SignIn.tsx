import { useEffect, useState, type FormEvent } from 'react';
import { signInWithAccessKey } from '../auth/access-key';
import { completeSingleSignOn, isSingleSignOnCallback, startSingleSignOn } from '../auth/oidc';
import { useSession, type Session } from '../auth/session';
import type { ConsoleConfig } from '../api/console-config';
import { ErrorBanner } from '../components/ErrorBanner';
import '../auth/auth.css';

/**
 * The provider's redirect back is completed once per page load, even when React runs the effect twice
 * (StrictMode): the pending verifier is single-use.
 */
let callback: Promise<Session> | undefined;
const completeOnce = (config: ConsoleConfig): Promise<Session> =>
  (callback ??= completeSingleSignOn(config).finally(() => {
    callback = undefined; // settled: a later sign-in page (after sign-out) must not see it again
  }));

/** Empties the form's secret fields, so that nothing typed stays in the page after it was used. */
function clearSecrets(form: HTMLFormElement): void {
  for (const name of ['secretAccessKey', 'mfaCode']) {
    const input = form.elements.namedItem(name);
    if (input instanceof HTMLInputElement) input.value = '';
  }
}

export function SignIn() {
  const { config, signIn, endedBecause } = useSession();
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState<'key' | 'sso' | undefined>(isSingleSignOnCallback() ? 'sso' : undefined);
  useEffect(() => {
    if (!isSingleSignOnCallback() && callback === undefined) return undefined;
    let live = true;
    completeOnce(config).then(
      (s) => live && signIn(s),
      (e: unknown) => live && (setError(e), setBusy(undefined)),
    );
    return () => {
      live = false;
    };
  }, [config, signIn]);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const get = (k: string) => String(f.get(k) ?? '').trim();
    const input = { accessKeyId: get('accessKeyId'), secretAccessKey: String(f.get('secretAccessKey') ?? ''), mfaSerial: get('mfaSerial'), mfaCode: get('mfaCode') };
    clearSecrets(form);
    setBusy('key');
    setError(undefined);
    try {
      signIn(await signInWithAccessKey(config, input));
    } catch (err) {
      setError(err);
      setBusy(undefined);
    }
  };
  const sso = config.oidc;
  const startSso = async () => {
    if (sso === undefined) return;
    setBusy('sso');
    setError(undefined);
    try {
      await startSingleSignOn(sso);
    } catch (err) {
      setError(err);
      setBusy(undefined);
    }
  };
  return (
    <main className="signin" id="main">
      <h1>Sign in to Arca</h1>
      {endedBecause !== undefined && <p className="banner" role="status">{endedBecause}</p>}
      <ErrorBanner error={error} />
      <p className="muted" role="status">{busy === 'sso' ? 'Signing in with single sign-on…' : busy === 'key' ? 'Signing in…' : ''}</p>
      {sso !== undefined && (
        <div className="sso">
          <button type="button" className="primary" onClick={() => void startSso()} disabled={busy !== undefined}>Sign in with single sign-on</button>
          <p className="hint">You are sent to {new URL(sso.issuer).host} and come back with a session of the console role.</p>
        </div>
      )}
      <form onSubmit={(e) => void submit(e)} autoComplete="off" aria-label="Sign in with an access key">
        <label>
          Access key ID
          <input name="accessKeyId" required spellCheck={false} autoCapitalize="off" />
        </label>
        <label>
          Secret access key
          <input name="secretAccessKey" type="password" required autoComplete="off" />
        </label>
        <fieldset>
          <legend>Multi-factor authentication{config.requireMfa ? ' (required)' : ' (if your account has a device)'}</legend>
          <label>
            MFA device serial number
            <input name="mfaSerial" required={config.requireMfa} spellCheck={false} autoCapitalize="off" placeholder="arn:aws:iam::111122223333:mfa/alice" />
          </label>
          <label>
            MFA code
            <input name="mfaCode" type="password" required={config.requireMfa} inputMode="numeric" pattern="[0-9]{6}" maxLength={6} autoComplete="one-time-code" />
          </label>
        </fieldset>
        <p className="hint">Your secret key is used once to start a {Math.round(config.sessionSeconds / 60)}-minute session and is not kept.</p>
        <button type="submit" className={sso === undefined ? 'primary' : undefined} disabled={busy !== undefined}>Sign in</button>
      </form>
    </main>
  );
}
