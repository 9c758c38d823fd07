import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { SecretBytes } from '../crypto/secret-bytes.js';
import type { Realm } from '../core/arn.js';
import { isKmsError, type ErrorCode } from '../core/errors.js';
import type { AuthenticationRequest, Clock, Keyring, PrincipalStore, WrappedSecret } from '../core/ports.js';
import { accessKeySecretBinding, type AccessKeyRecord, type PrincipalRecord } from '../core/principal.js';
import { SIGNING_KEY_CACHE_LIMIT, SigV4Authenticator } from './sigv4-authenticator.js';

// Requests in these tests are signed by the AWS SDK's own signer (@smithy/signature-v4), so a verifier that
// agrees with itself but not with real clients cannot pass.

const REALM: Realm = { partition: 'aws', region: 'us-east-1', account: '111122223333' };
const NOW = new Date('2024-05-06T07:08:09Z');
const MINUTE = 60_000;

const ACCESS_KEY_ID = 'AKIAARCATEST00000001';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const OTHER_SECRET = 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY';
const INACTIVE_ACCESS_KEY_ID = 'AKIAARCATEST00000002';
const PRINCIPAL: PrincipalRecord = {
  id: 'p-alice',
  type: 'user',
  name: 'alice',
  arn: 'arn:aws:iam::111122223333:user/alice',
  createdAt: new Date('2024-01-01T00:00:00Z'),
};

const BODY = JSON.stringify({ KeyId: 'alias/app', Plaintext: 'aGVsbG8gd29ybGQ=' });

function accessKey(accessKeyId: string, secret: string, status: AccessKeyRecord['status'] = 'Active'): AccessKeyRecord {
  // The fake keyring's "wrapping" is the identity, so the wrapped secret is the secret's bytes.
  return { accessKeyId, principalId: PRINCIPAL.id, status, wrappedSecret: Buffer.from(secret), domainKeyVersion: 1, createdAt: PRINCIPAL.createdAt };
}

class FakePrincipalStore implements Pick<PrincipalStore, 'getAccessKey' | 'getPrincipal'> {
  readonly principals = new Map<string, PrincipalRecord>([[PRINCIPAL.id, PRINCIPAL]]);
  readonly accessKeys = new Map<string, AccessKeyRecord>([
    [ACCESS_KEY_ID, accessKey(ACCESS_KEY_ID, SECRET)],
    [INACTIVE_ACCESS_KEY_ID, accessKey(INACTIVE_ACCESS_KEY_ID, SECRET, 'Inactive')],
  ]);

  async getPrincipal(id: string): Promise<PrincipalRecord | undefined> {
    return this.principals.get(id);
  }

  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    return this.accessKeys.get(accessKeyId);
  }
}

/** Unwraps by copying: the "wrapped" secret is the secret. Records what it was asked, to observe the cache. */
class FakeKeyring implements Keyring {
  readonly unwraps: { wrapped: Buffer; binding: Buffer }[] = [];

  async wrap(): Promise<WrappedSecret> {
    throw new Error('FakeKeyring.wrap is not used by authentication');
  }

  async unwrap(secret: WrappedSecret, binding: Uint8Array): Promise<SecretBytes> {
    this.unwraps.push({ wrapped: Buffer.from(secret.wrapped), binding: Buffer.from(binding) });
    return SecretBytes.copyOf(secret.wrapped);
  }
}

class FixedClock implements Clock {
  constructor(public at: Date) {}
  now(): Date {
    return this.at;
  }
}

function setup(): { authenticator: SigV4Authenticator; store: FakePrincipalStore; keyring: FakeKeyring; clock: FixedClock } {
  const store = new FakePrincipalStore();
  const keyring = new FakeKeyring();
  const clock = new FixedClock(NOW);
  return { authenticator: new SigV4Authenticator({ store, keyring, realm: REALM, clock }), store, keyring, clock };
}

interface SignOptions {
  readonly accessKeyId?: string;
  readonly secret?: string;
  readonly sessionToken?: string;
  readonly region?: string;
  readonly service?: string;
  readonly signingDate?: Date;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
  readonly unsignableHeaders?: ReadonlySet<string>;
}

/** A KMS Encrypt request signed by the AWS SDK's signer, as the authenticator sees it on the wire. */
async function signed(opts: SignOptions = {}): Promise<AuthenticationRequest> {
  const signer = new SignatureV4({
    service: opts.service ?? 'kms',
    region: opts.region ?? REALM.region,
    credentials: {
      accessKeyId: opts.accessKeyId ?? ACCESS_KEY_ID,
      secretAccessKey: opts.secret ?? SECRET,
      ...(opts.sessionToken === undefined ? {} : { sessionToken: opts.sessionToken }),
    },
    sha256: Sha256,
  });
  const body = opts.body ?? BODY;
  const request = new HttpRequest({
    method: 'POST',
    protocol: 'https:',
    hostname: 'kms.arca.test',
    path: '/',
    query: { ...opts.query },
    headers: {
      host: 'kms.arca.test',
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'TrentService.Encrypt',
      ...opts.headers,
    },
    body,
  });
  const out = await signer.sign(request, {
    signingDate: opts.signingDate ?? NOW,
    ...(opts.unsignableHeaders === undefined ? {} : { unsignableHeaders: new Set(opts.unsignableHeaders) }),
  });
  const headers = Object.entries(out.headers).map(([name, value]) => [name, value] as const);
  const query = Object.entries(opts.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  return { method: out.method, path: out.path, query, headers, body: Buffer.from(body) };
}

function headerValue(req: AuthenticationRequest, name: string): string {
  const found = req.headers.find(([k]) => k.toLowerCase() === name);
  assert.ok(found, `test request has no ${name} header`);
  return found[1];
}

function withHeader(req: AuthenticationRequest, name: string, value: string): AuthenticationRequest {
  const headers = req.headers.filter(([k]) => k.toLowerCase() !== name);
  return { ...req, headers: [...headers, [name, value]] };
}

function withoutHeader(req: AuthenticationRequest, name: string): AuthenticationRequest {
  return { ...req, headers: req.headers.filter(([k]) => k.toLowerCase() !== name) };
}

function withAuthorization(req: AuthenticationRequest, edit: (authorization: string) => string): AuthenticationRequest {
  return withHeader(req, 'authorization', edit(headerValue(req, 'authorization')));
}

function signatureOf(req: AuthenticationRequest): string {
  const m = /Signature=([0-9a-f]{64})$/.exec(headerValue(req, 'authorization'));
  assert.ok(m?.[1], 'signed request has no Signature');
  return m[1];
}

async function assertKmsError(promise: Promise<unknown>, code: ErrorCode, message: RegExp): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(isKmsError(e), `expected a KmsError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.match(e.message, message);
    return true;
  });
}

const SIGNATURE_MISMATCH = /signature we calculated does not match/;

describe('SigV4Authenticator', () => {
  describe('accepts requests signed by the AWS SDK signer', () => {
    it('authenticates a correctly signed request to the principal owning the access key', async () => {
      const { authenticator } = setup();
      const principal = await authenticator.authenticate(await signed());
      assert.equal(principal.arn, PRINCIPAL.arn);
      assert.equal(principal.accessKeyId, ACCESS_KEY_ID);
      assert.equal(principal.id, PRINCIPAL.id);
      assert.equal(principal.account, REALM.account);
    });

    it('unwraps the secret with the binding of its access key id', async () => {
      const { authenticator, keyring } = setup();
      await authenticator.authenticate(await signed());
      assert.equal(keyring.unwraps.length, 1);
      assert.deepEqual(keyring.unwraps[0]?.binding, accessKeySecretBinding(ACCESS_KEY_ID));
    });

    it('accepts header names in any case', async () => {
      const { authenticator } = setup();
      const req = await signed();
      const oddCase: Record<string, string> = { host: 'HoSt', 'x-amz-date': 'X-AMZ-DATE', authorization: 'AUTHORIZATION', 'x-amz-target': 'x-AMZ-target' };
      const renamed = { ...req, headers: req.headers.map(([k, v]) => [oddCase[k.toLowerCase()] ?? k.toUpperCase(), v] as const) };
      assert.ok(renamed.headers.some(([k]) => k === 'X-AMZ-DATE'), 'the test must actually rename headers');
      const principal = await authenticator.authenticate(renamed);
      assert.equal(principal.accessKeyId, ACCESS_KEY_ID);
    });

    it('accepts a signed header that arrives as repeated header lines, joined in order with commas', async () => {
      const { authenticator } = setup();
      const req = await signed({ headers: { 'x-arca-trace': 'first,second' } });
      const split = { ...withoutHeader(req, 'x-arca-trace'), headers: [...withoutHeader(req, 'x-arca-trace').headers, ['X-Arca-Trace', 'first'], ['x-arca-trace', ' second ']] as const };
      const principal = await authenticator.authenticate(split);
      assert.equal(principal.accessKeyId, ACCESS_KEY_ID);

      const reordered = { ...split, headers: [...withoutHeader(req, 'x-arca-trace').headers, ['x-arca-trace', 'second'], ['x-arca-trace', 'first']] as const };
      await assertKmsError(authenticator.authenticate(reordered), 'InvalidSignature', SIGNATURE_MISMATCH);
    });

    it('accepts a signed query string and refuses it once edited', async () => {
      const { authenticator } = setup();
      const req = await signed({ query: { b: '2', a: 'x y/z' } });
      assert.equal((await authenticator.authenticate(req)).accessKeyId, ACCESS_KEY_ID);
      await assertKmsError(authenticator.authenticate({ ...req, query: 'b=3&a=x%20y%2Fz' }), 'InvalidSignature', SIGNATURE_MISMATCH);
    });

    it('accepts a request dated 4 minutes ahead of or behind the server clock', async () => {
      const { authenticator } = setup();
      for (const offset of [4 * MINUTE, -4 * MINUTE]) {
        const req = await signed({ signingDate: new Date(NOW.getTime() + offset) });
        assert.equal((await authenticator.authenticate(req)).accessKeyId, ACCESS_KEY_ID, `offset ${offset / MINUTE} min`);
      }
    });
  });

  describe('refuses time, scope and signed-header problems', () => {
    it('refuses a request dated more than 5 minutes in the future', async () => {
      const { authenticator } = setup();
      const req = await signed({ signingDate: new Date(NOW.getTime() + 6 * MINUTE) });
      await assertKmsError(authenticator.authenticate(req), 'InvalidSignature', /not yet current/);
    });

    it('refuses a request dated more than 5 minutes in the past', async () => {
      const { authenticator } = setup();
      const req = await signed({ signingDate: new Date(NOW.getTime() - 6 * MINUTE) });
      await assertKmsError(authenticator.authenticate(req), 'InvalidSignature', /Signature expired/);
    });

    it('refuses a request once the server clock has moved past the skew window', async () => {
      const { authenticator, clock } = setup();
      const req = await signed();
      await authenticator.authenticate(req);
      clock.at = new Date(NOW.getTime() + 6 * MINUTE);
      await assertKmsError(authenticator.authenticate(req), 'InvalidSignature', /Signature expired/);
    });

    it('refuses a credential scoped to another region', async () => {
      const { authenticator } = setup();
      await assertKmsError(authenticator.authenticate(await signed({ region: 'eu-west-1' })), 'InvalidSignature', /valid region, not 'eu-west-1'/);
    });

    it('refuses a credential scoped to another service', async () => {
      const { authenticator } = setup();
      await assertKmsError(authenticator.authenticate(await signed({ service: 's3' })), 'InvalidSignature', /correct service: 'kms'/);
    });

    it('refuses a credential scope date that differs from X-Amz-Date', async () => {
      const { authenticator } = setup();
      const req = withAuthorization(await signed(), (a) => a.replace('/20240506/', '/20240505/'));
      await assertKmsError(authenticator.authenticate(req), 'InvalidSignature', /valid date/);
    });

    it('refuses a request whose x-amz-target is not signed', async () => {
      const { authenticator } = setup();
      const req = await signed({ unsignableHeaders: new Set(['x-amz-target']) });
      assert.ok(!/SignedHeaders=[^,]*x-amz-target/.test(headerValue(req, 'authorization')), 'the signer must leave x-amz-target unsigned');
      assert.equal(headerValue(req, 'x-amz-target'), 'TrentService.Encrypt');
      await assertKmsError(authenticator.authenticate(req), 'InvalidSignature', /x-amz-target header must be signed/);
    });

    it('refuses a request whose host is not signed', async () => {
      const { authenticator } = setup();
      const req = await signed({ unsignableHeaders: new Set(['host']) });
      await assertKmsError(authenticator.authenticate(req), 'InvalidSignature', /host header must be signed/);
    });

    it('refuses a target header added after signing', async () => {
      const { authenticator } = setup();
      const unsignedTarget = withoutHeader(await signed(), 'x-amz-target');
      const req = withAuthorization(withHeader(unsignedTarget, 'x-amz-target', 'TrentService.Decrypt'), (a) =>
        a.replace(/SignedHeaders=[^,]*/, (s) => s.replace(';x-amz-target', '')),
      );
      await assertKmsError(authenticator.authenticate(req), 'InvalidSignature', /x-amz-target header must be signed/);
    });

    it('refuses a request without X-Amz-Date as incomplete', async () => {
      const { authenticator } = setup();
      const req = withoutHeader(await signed(), 'x-amz-date');
      await assertKmsError(authenticator.authenticate(req), 'IncompleteSignature', /X-Amz-Date/);
    });
  });

  describe('refuses requests changed after signing', () => {
    it('refuses a body edited after signing', async () => {
      const { authenticator } = setup();
      const req = await signed();
      const edited = { ...req, body: Buffer.from(BODY.replace('aGVsbG8gd29ybGQ=', 'Z29vZGJ5ZQ==')) };
      await assertKmsError(authenticator.authenticate(edited), 'InvalidSignature', SIGNATURE_MISMATCH);
    });

    it('refuses a signed header value edited after signing', async () => {
      const { authenticator } = setup();
      const req = withHeader(await signed(), 'x-amz-target', 'TrentService.Decrypt');
      await assertKmsError(authenticator.authenticate(req), 'InvalidSignature', SIGNATURE_MISMATCH);
    });

    it('refuses a changed method', async () => {
      const { authenticator } = setup();
      const req = { ...(await signed()), method: 'PUT' };
      await assertKmsError(authenticator.authenticate(req), 'InvalidSignature', SIGNATURE_MISMATCH);
    });

    it('refuses a request signed with the wrong secret', async () => {
      const { authenticator } = setup();
      await assertKmsError(authenticator.authenticate(await signed({ secret: OTHER_SECRET })), 'InvalidSignature', SIGNATURE_MISMATCH);
    });
  });

  describe('refuses unknown or unusable credentials', () => {
    it('refuses an unknown access key', async () => {
      const { authenticator, keyring } = setup();
      await assertKmsError(authenticator.authenticate(await signed({ accessKeyId: 'AKIAUNKNOWN000000000' })), 'UnrecognizedClient', /security token included in the request is invalid/);
      assert.equal(keyring.unwraps.length, 0);
    });

    it('refuses an inactive access key even when the signature is right', async () => {
      const { authenticator } = setup();
      await assertKmsError(authenticator.authenticate(await signed({ accessKeyId: INACTIVE_ACCESS_KEY_ID })), 'UnrecognizedClient', /security token included in the request is invalid/);
    });

    it('refuses a key deactivated after it has been used (no cached acceptance)', async () => {
      const { authenticator, store } = setup();
      const req = await signed();
      await authenticator.authenticate(req);
      store.accessKeys.set(ACCESS_KEY_ID, accessKey(ACCESS_KEY_ID, SECRET, 'Inactive'));
      await assertKmsError(authenticator.authenticate(req), 'UnrecognizedClient', /security token/);
    });

    it('refuses a request carrying a session token', async () => {
      const { authenticator } = setup();
      const req = await signed({ sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN' });
      assert.equal(headerValue(req, 'x-amz-security-token'), 'FwoGZXIvYXdzEXAMPLETOKEN');
      await assertKmsError(authenticator.authenticate(req), 'UnrecognizedClient', /security token/);
    });

    it('refuses a valid signature whose principal no longer exists', async () => {
      const { authenticator, store } = setup();
      store.principals.clear();
      await assertKmsError(authenticator.authenticate(await signed()), 'UnrecognizedClient', /security token/);
    });
  });

  describe('refuses missing or malformed Authorization headers', () => {
    it('answers MissingAuthentication without an Authorization header', async () => {
      const { authenticator } = setup();
      await assertKmsError(authenticator.authenticate(withoutHeader(await signed(), 'authorization')), 'MissingAuthentication', /Missing Authentication Token/);
    });

    it('answers IncompleteSignature when Signature is missing', async () => {
      const { authenticator } = setup();
      const req = withAuthorization(await signed(), (a) => a.replace(/, Signature=[0-9a-f]+$/, ''));
      assert.ok(!headerValue(req, 'authorization').includes('Signature='));
      await assertKmsError(authenticator.authenticate(req), 'IncompleteSignature', /requires 'Signature' parameter/);
    });

    it('answers IncompleteSignature when Credential is missing', async () => {
      const { authenticator } = setup();
      const req = withAuthorization(await signed(), (a) => a.replace(/Credential=[^,]*, /, ''));
      await assertKmsError(authenticator.authenticate(req), 'IncompleteSignature', /requires 'Credential' parameter/);
    });

    it('answers IncompleteSignature for an unsupported algorithm', async () => {
      const { authenticator } = setup();
      const req = withAuthorization(await signed(), (a) => a.replace('AWS4-HMAC-SHA256', 'AWS3-HMAC-GARBAGE'));
      await assertKmsError(authenticator.authenticate(req), 'IncompleteSignature', /Unsupported authorization algorithm 'AWS3-HMAC-GARBAGE'/);
    });

    it('answers IncompleteSignature for a signature that is not hex', async () => {
      const { authenticator } = setup();
      const req = withAuthorization(await signed(), (a) => a.replace(/Signature=[0-9a-f]+$/, `Signature=${'z'.repeat(64)}`));
      await assertKmsError(authenticator.authenticate(req), 'IncompleteSignature', /64 lower-case hex/);
    });

    it('answers IncompleteSignature for a credential scope of the wrong shape', async () => {
      const { authenticator } = setup();
      const req = withAuthorization(await signed(), (a) => a.replace('/aws4_request', '/aws5_request'));
      await assertKmsError(authenticator.authenticate(req), 'IncompleteSignature', /Credential must have the form/);
    });

    it('answers a signature error, not an internal error, for a query string that is not percent-encoding', async () => {
      const { authenticator } = setup();
      const req = { ...(await signed()), query: 'a=%zz' };
      await assertKmsError(authenticator.authenticate(req), 'InvalidSignature', /percent-encoding/);
    });
  });

  describe('signing-key cache', () => {
    it('derives the signing key once per access key and day', async () => {
      const { authenticator, keyring } = setup();
      await authenticator.authenticate(await signed());
      await authenticator.authenticate(await signed({ body: JSON.stringify({ KeyId: 'alias/other' }) }));
      assert.equal(keyring.unwraps.length, 1);
    });

    it('does not let a wrong signature pass after a right one for the same key and day', async () => {
      const { authenticator, keyring } = setup();
      const good = await signed();
      await authenticator.authenticate(good);
      const sig = signatureOf(good);
      const flipped = `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`;
      const forged = withAuthorization(good, (a) => a.replace(sig, flipped));
      await assertKmsError(authenticator.authenticate(forged), 'InvalidSignature', SIGNATURE_MISMATCH);
      await assertKmsError(authenticator.authenticate(await signed({ secret: OTHER_SECRET })), 'InvalidSignature', SIGNATURE_MISMATCH);
      assert.equal(keyring.unwraps.length, 1, 'the refusals must have been decided with the cached signing key');
    });

    it('does not serve a replaced secret from the cache', async () => {
      const { authenticator, store, keyring } = setup();
      await authenticator.authenticate(await signed());
      store.accessKeys.set(ACCESS_KEY_ID, accessKey(ACCESS_KEY_ID, OTHER_SECRET));
      await assertKmsError(authenticator.authenticate(await signed({ secret: SECRET })), 'InvalidSignature', SIGNATURE_MISMATCH);
      assert.equal((await authenticator.authenticate(await signed({ secret: OTHER_SECRET }))).accessKeyId, ACCESS_KEY_ID);
      assert.equal(keyring.unwraps.length, 2);
      assert.deepEqual(keyring.unwraps[1]?.wrapped, Buffer.from(OTHER_SECRET));
    });

    it('still verifies a request whose cached key is evicted by a concurrent request', async () => {
      const { authenticator, store } = setup();
      const good = await signed();
      await authenticator.authenticate(good);
      // Fill the cache to its limit: every distinct wrapped secret is a separate entry.
      const fillerId = 'AKIAARCAFILLER000000';
      const filler = await signed({ accessKeyId: fillerId, secret: 'filler' });
      let n = 0;
      const nextFiller = (): void => {
        store.accessKeys.set(fillerId, accessKey(fillerId, `filler-${n++}`));
      };
      for (let i = 1; i < SIGNING_KEY_CACHE_LIMIT; i++) {
        nextFiller();
        await assertKmsError(authenticator.authenticate(filler), 'InvalidSignature', SIGNATURE_MISMATCH);
      }
      // The next miss empties the cache. Started first, it runs its eviction between the cache hit of the
      // good request and that request's use of the key it read.
      nextFiller();
      const [evicting, verified] = await Promise.allSettled([authenticator.authenticate(filler), authenticator.authenticate(good)]);
      assert.equal(evicting.status, 'rejected');
      assert.ok(verified.status === 'fulfilled', verified.status === 'rejected' ? String(verified.reason) : '');
      assert.equal(verified.value.accessKeyId, ACCESS_KEY_ID);
    });

    it('derives the signing key again after forgetAll', async () => {
      const { authenticator, keyring } = setup();
      const req = await signed();
      await authenticator.authenticate(req);
      authenticator.forgetAll();
      assert.equal((await authenticator.authenticate(req)).accessKeyId, ACCESS_KEY_ID);
      assert.equal(keyring.unwraps.length, 2);
    });
  });
});
