import { describe, expect, it } from 'vitest';
import { callbackParams, PENDING_KEY, roleSessionName, savePending, takePending, withoutQuery } from '../src/lib/sso';
import { accessKeyFormError } from '../src/auth/access-key';
import { formatLeft } from '../src/auth/SessionClock';

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(k: string): string | null {
    return this.items.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.items.set(k, v);
  }
  removeItem(k: string): void {
    this.items.delete(k);
  }
}

describe('callbackParams / withoutQuery', () => {
  it('recognizes the provider\'s redirect back (code and state, or an error and state) and nothing else', () => {
    expect(callbackParams('https://arca.test/ui/?code=abc&state=xyz')?.get('code')).toBe('abc');
    expect(callbackParams('https://arca.test/ui/?error=access_denied&state=xyz')?.get('error')).toBe('access_denied');
    expect(callbackParams('https://arca.test/ui/?code=abc')).toBeUndefined();
    expect(callbackParams('https://arca.test/ui/#/keys?code=abc&state=xyz')).toBeUndefined();
    expect(callbackParams('https://arca.test/ui/')).toBeUndefined();
  });
  it('drops the query (code, state) and keeps the path and hash', () => {
    expect(withoutQuery('https://arca.test/ui/?code=abc&state=xyz')).toBe('/ui/');
    expect(withoutQuery('https://arca.test/ui/?code=abc&state=xyz#/keys')).toBe('/ui/#/keys');
  });
});

describe('roleSessionName', () => {
  it('uses the email, else the subject, with characters STS refuses replaced', () => {
    expect(roleSessionName({ email: 'alice@example.com', sub: '123' })).toBe('alice@example.com');
    expect(roleSessionName({ sub: 'auth0|5f1 a/b' })).toBe('auth0-5f1-a-b');
    expect(roleSessionName({ email: '', sub: 'bob' })).toBe('bob');
  });
  it('is always 2 to 64 characters of [\\w+=,.@-]', () => {
    for (const name of [roleSessionName({ sub: 'x'.repeat(200) }), roleSessionName({ sub: 'a' }), roleSessionName({}), roleSessionName({ sub: 'é' })]) {
      expect(name).toMatch(/^[\w+=,.@-]{2,64}$/);
    }
  });
});

describe('pending sign-in record', () => {
  it('is read once: taking it removes it', () => {
    const s = new MemoryStorage();
    savePending(s, { codeVerifier: 'v', state: 's', nonce: 'n' });
    expect(takePending(s)).toEqual({ codeVerifier: 'v', state: 's', nonce: 'n' });
    expect(s.items.size).toBe(0);
    expect(takePending(s)).toBeUndefined();
  });
  it('a damaged record is nothing (and is removed)', () => {
    const s = new MemoryStorage();
    s.setItem(PENDING_KEY, '{"state":1}');
    expect(takePending(s)).toBeUndefined();
    s.setItem(PENDING_KEY, 'not json');
    expect(takePending(s)).toBeUndefined();
    expect(s.items.size).toBe(0);
  });
});

describe('accessKeyFormError', () => {
  const key = { accessKeyId: 'AKIA', secretAccessKey: 's' };
  it('with requireMfa, refuses to sign in without a device and code (a console rule)', () => {
    expect(accessKeyFormError({ requireMfa: true }, key)?.code).toBe('MfaRequired');
    expect(accessKeyFormError({ requireMfa: true }, { ...key, mfaSerial: 'arn:aws:iam::1:mfa/a', mfaCode: '' })?.code).toBe('MfaRequired');
    expect(accessKeyFormError({ requireMfa: true }, { ...key, mfaSerial: 'arn:aws:iam::1:mfa/a', mfaCode: '123456' })).toBeUndefined();
  });
  it('without it, MFA is optional but a code must be 6 digits and come with a serial', () => {
    expect(accessKeyFormError({ requireMfa: false }, key)).toBeUndefined();
    expect(accessKeyFormError({ requireMfa: false }, { ...key, mfaSerial: 'arn:aws:iam::1:mfa/a', mfaCode: '12345' })?.code).toBe('ValidationError');
    expect(accessKeyFormError({ requireMfa: false }, { ...key, mfaCode: '123456' })?.code).toBe('ValidationError');
  });
});

describe('formatLeft', () => {
  it('shows m:ss, h:mm:ss over an hour, and never a negative time', () => {
    expect(formatLeft(899_500)).toBe('15:00');
    expect(formatLeft(61_000)).toBe('1:01');
    expect(formatLeft(3_600_000 + 5_000)).toBe('1:00:05');
    expect(formatLeft(-5000)).toBe('0:00');
  });
});
