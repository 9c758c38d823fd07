import { describe, expect, it } from 'vitest';
import { signedRequest, type Credentials } from '../src/api/client';
import type { AuthenticationRequest } from '../../src/core/ports.js';
import { ACCESS_KEY_ID, NOW, OTHER_SECRET, PRINCIPAL, SECRET, setup } from '../../test/helpers/sigv4-fixtures.js';

// The console signs in the browser with the AWS SDK's signer; here the SERVER's own verifier
// (src/auth/sigv4-authenticator.ts, with the fixtures' fake store holding ACCESS_KEY_ID/SECRET) judges
// what the console's signedRequest produced, as it would on the wire.

const endpoint = { origin: 'https://kms.arca.test', region: 'us-east-1' };
const target = 'TrentService.ListKeys';
const body = JSON.stringify({ Limit: 10 });

/** What the browser sends: the signed headers plus the Host the browser sets from the URL. */
async function consoleRequest(opts: { credentials?: Credentials; service?: 'kms' | 'sts'; headers?: Record<string, string>; body?: string } = {}): Promise<AuthenticationRequest> {
  const base = opts.headers ?? { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target };
  const sent = opts.body ?? body;
  const headers = await signedRequest(endpoint, opts.credentials ?? { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET }, opts.service ?? 'kms', base, sent, NOW);
  const service = opts.service ?? 'kms';
  return { method: 'POST', path: '/', query: '', headers: [['host', 'kms.arca.test'], ...Object.entries(headers)], body: Buffer.from(sent), ...(service === 'kms' ? {} : { signingService: service }) };
}

const edit = (req: AuthenticationRequest, name: string, value: string): AuthenticationRequest => ({
  ...req,
  headers: req.headers.map(([k, v]) => [k, k.toLowerCase() === name ? value : v] as const),
});

describe('signedRequest against the server\'s SigV4 verifier', () => {
  it('signs without sending Host (the browser sets it), with the date, the body hash and the target signed', async () => {
    const req = await consoleRequest();
    const names = req.headers.map(([k]) => k.toLowerCase());
    expect(names.filter((n) => n === 'host')).toHaveLength(1); // only the one the "browser" added
    const auth = req.headers.find(([k]) => k.toLowerCase() === 'authorization')?.[1] ?? '';
    expect(auth).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAARCATEST00000001\/20240506\/us-east-1\/kms\/aws4_request, SignedHeaders=[^ ]*host;[^ ]*x-amz-date;[^ ]*x-amz-target/);
  });

  it('is accepted: the server authenticates it as the key\'s principal', async () => {
    const { authenticator } = setup();
    const principal = await authenticator.authenticate(await consoleRequest());
    expect(principal.arn).toBe(PRINCIPAL.arn);
    expect(principal.accessKeyId).toBe(ACCESS_KEY_ID);
  });

  it('an STS Query call (form body, no target) is accepted as well', async () => {
    const { authenticator } = setup();
    const form = new URLSearchParams({ Action: 'GetCallerIdentity', Version: '2011-06-15' }).toString();
    const req = await consoleRequest({ service: 'sts', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: form });
    expect((await authenticator.authenticate(req)).arn).toBe(PRINCIPAL.arn);
  });

  it('a tampered body is refused', async () => {
    const { authenticator } = setup();
    const req = await consoleRequest();
    await expect(authenticator.authenticate({ ...req, body: Buffer.from(JSON.stringify({ Limit: 1000 })) })).rejects.toMatchObject({ code: 'InvalidSignature' });
  });

  it('a tampered signed header (the operation) is refused', async () => {
    const { authenticator } = setup();
    const req = await consoleRequest();
    await expect(authenticator.authenticate(edit(req, 'x-amz-target', 'TrentService.ScheduleKeyDeletion'))).rejects.toMatchObject({ code: 'InvalidSignature' });
  });

  it('a request signed with the wrong secret is refused', async () => {
    const { authenticator } = setup();
    const req = await consoleRequest({ credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: OTHER_SECRET } });
    await expect(authenticator.authenticate(req)).rejects.toMatchObject({ code: 'InvalidSignature' });
  });
});
