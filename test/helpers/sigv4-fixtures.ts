/** Fixtures of the SigV4 authenticator tests (src/auth/sigv4*.test.ts): a fake store, keyring and clock, and requests signed by the real AWS signer. */
import type { SessionRecord } from '../../src/core/session.js';
import assert from 'node:assert/strict';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';
import type { Realm } from '../../src/core/arn.js';
import { isKmsError, type ErrorCode } from '../../src/core/errors.js';
import type { AuthenticationRequest, Clock, Keyring, PrincipalStore, WrappedSecret } from '../../src/core/ports.js';
import type { AccessKeyRecord, PrincipalRecord } from '../../src/core/principal.js';
import { SigV4Authenticator } from '../../src/auth/sigv4-authenticator.js';

// Requests in these tests are signed by the AWS SDK's own signer (@smithy/signature-v4), so a verifier that
// agrees with itself but not with real clients cannot pass.

export const REALM: Realm = { partition: 'aws', region: 'us-east-1', account: '111122223333' };
export const NOW = new Date('2024-05-06T07:08:09Z');
export const MINUTE = 60_000;

export const ACCESS_KEY_ID = 'AKIAARCATEST00000001';
export const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
export const OTHER_SECRET = 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY';
export const INACTIVE_ACCESS_KEY_ID = 'AKIAARCATEST00000002';
export const PRINCIPAL: PrincipalRecord = {
  id: 'p-alice',
  type: 'user',
  name: 'alice',
  arn: 'arn:aws:iam::111122223333:user/alice',
  createdAt: new Date('2024-01-01T00:00:00Z'),
};

export const BODY = JSON.stringify({ KeyId: 'alias/app', Plaintext: 'aGVsbG8gd29ybGQ=' });

export function accessKey(accessKeyId: string, secret: string, status: AccessKeyRecord['status'] = 'Active'): AccessKeyRecord {
  // The fake keyring's "wrapping" is the identity, so the wrapped secret is the secret's bytes.
  return { accessKeyId, principalId: PRINCIPAL.id, status, wrappedSecret: Buffer.from(secret), domainKeyVersion: 1, createdAt: PRINCIPAL.createdAt };
}

export class FakePrincipalStore implements Pick<PrincipalStore, 'getAccessKey' | 'getPrincipal' | 'getSession'> {
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

  readonly sessions = new Map<string, SessionRecord>();

  async getSession(accessKeyId: string): Promise<SessionRecord | undefined> {
    return this.sessions.get(accessKeyId);
  }
}

/** Unwraps by copying: the "wrapped" secret is the secret. Records what it was asked, to observe the cache. */
export class FakeKeyring implements Keyring {
  readonly unwraps: { wrapped: Buffer; binding: Buffer }[] = [];

  async wrap(): Promise<WrappedSecret> {
    throw new Error('FakeKeyring.wrap is not used by authentication');
  }

  async unwrap(secret: WrappedSecret, binding: Uint8Array): Promise<SecretBytes> {
    this.unwraps.push({ wrapped: Buffer.from(secret.wrapped), binding: Buffer.from(binding) });
    return SecretBytes.copyOf(secret.wrapped);
  }
}

export class FixedClock implements Clock {
  constructor(public at: Date) {}
  now(): Date {
    return this.at;
  }
}

export function setup(): { authenticator: SigV4Authenticator; store: FakePrincipalStore; keyring: FakeKeyring; clock: FixedClock } {
  const store = new FakePrincipalStore();
  const keyring = new FakeKeyring();
  const clock = new FixedClock(NOW);
  return { authenticator: new SigV4Authenticator({ store, keyring, realm: REALM, clock }), store, keyring, clock };
}

export interface SignOptions {
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
export async function signed(opts: SignOptions = {}): Promise<AuthenticationRequest> {
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

export function headerValue(req: AuthenticationRequest, name: string): string {
  const found = req.headers.find(([k]) => k.toLowerCase() === name);
  assert.ok(found, `test request has no ${name} header`);
  return found[1];
}

export function withHeader(req: AuthenticationRequest, name: string, value: string): AuthenticationRequest {
  const headers = req.headers.filter(([k]) => k.toLowerCase() !== name);
  return { ...req, headers: [...headers, [name, value]] };
}

export function withoutHeader(req: AuthenticationRequest, name: string): AuthenticationRequest {
  return { ...req, headers: req.headers.filter(([k]) => k.toLowerCase() !== name) };
}

export function withAuthorization(req: AuthenticationRequest, edit: (authorization: string) => string): AuthenticationRequest {
  return withHeader(req, 'authorization', edit(headerValue(req, 'authorization')));
}

export function signatureOf(req: AuthenticationRequest): string {
  const m = /Signature=([0-9a-f]{64})$/.exec(headerValue(req, 'authorization'));
  assert.ok(m?.[1], 'signed request has no Signature');
  return m[1];
}

export async function assertKmsError(promise: Promise<unknown>, code: ErrorCode, message: RegExp): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(isKmsError(e), `expected a KmsError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.match(e.message, message);
    return true;
  });
}

export const SIGNATURE_MISMATCH = /signature we calculated does not match/;
