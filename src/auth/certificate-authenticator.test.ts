import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AuthenticationRequest } from '../core/authentication.js';
import type { ClientCertificate } from '../core/client-certificate.js';
import { KmsError } from '../core/errors.js';
import type { PrincipalRecord } from '../core/principal.js';
import { ClientCertificateAuthenticator } from './certificate-authenticator.js';

const realm = { partition: 'aws', region: 'us-east-1', account: '111122223333' } as const;
const app: PrincipalRecord = { id: 'AIDAAPP', type: 'user', name: 'app', arn: 'arn:aws:iam::111122223333:user/app', createdAt: new Date(0) };
const cert: ClientCertificate = { verified: true, subject: 'CN=app', issuer: 'CN=ca', sans: { uri: ['spiffe://example.org/app'], dns: [], email: [], ip: [] }, fingerprint: 'AA:BB' };
const request = (over: Partial<AuthenticationRequest>): AuthenticationRequest => ({ method: 'POST', path: '/', query: '', headers: [], body: Buffer.alloc(0), ...over });
const signer = { id: 'AIDAADMIN', type: 'user' as const, name: 'admin', arn: 'arn:aws:iam::111122223333:user/admin', account: realm.account, accessKeyId: 'AKIA' };

function authenticator(principal = 'app') {
  return new ClientCertificateAuthenticator({
    inner: { authenticate: (req) => (req.headers.length > 0 ? Promise.resolve(signer) : Promise.reject(new KmsError('MissingAuthentication', 'Missing Authentication Token'))) },
    rules: [{ match: { uri: 'spiffe://example.org/*' }, principal }],
    store: { findPrincipalByName: (name) => Promise.resolve(name === 'app' ? app : undefined) },
    realm,
  });
}
const code = (c: string) => (e: unknown) => e instanceof KmsError && e.code === c;

describe('ClientCertificateAuthenticator', () => {
  test('an unsigned request with a verified, mapped certificate is the mapped principal, certificate attached', async () => {
    const p = await authenticator().authenticate(request({ clientCertificate: cert }));
    assert.deepEqual([p.arn, p.clientCertificate?.fingerprint, p.accessKeyId], [app.arn, 'AA:BB', undefined]);
    assert.equal((await authenticator(app.arn).authenticate(request({ clientCertificate: cert }))).id, app.id, 'a rule may name the ARN');
  });

  test('a signed request is its signer, with the certificate available for conditions', async () => {
    const p = await authenticator().authenticate(request({ headers: [['Authorization', 'AWS4-HMAC-SHA256 ...']], clientCertificate: cert }));
    assert.deepEqual([p.arn, p.clientCertificate?.subject], [signer.arn, 'CN=app']);
  });

  test('refuses an unverified certificate, an unmapped one, and a rule naming a missing or different principal', async () => {
    await assert.rejects(authenticator().authenticate(request({ clientCertificate: { ...cert, verified: false, verifyError: 'SELF_SIGNED' } })), code('UnrecognizedClient'));
    await assert.rejects(authenticator().authenticate(request({ clientCertificate: { ...cert, sans: { uri: ['spiffe://other/x'], dns: [], email: [], ip: [] } } })), code('MissingAuthentication'));
    await assert.rejects(authenticator('ghost').authenticate(request({ clientCertificate: cert })), code('UnrecognizedClient'));
    await assert.rejects(authenticator('arn:aws:iam::111122223333:role/app').authenticate(request({ clientCertificate: cert })), code('UnrecognizedClient'));
  });

  test('without a certificate the signature authenticator decides alone', async () => {
    await assert.rejects(authenticator().authenticate(request({})), code('MissingAuthentication'));
    assert.equal((await authenticator().authenticate(request({ headers: [['authorization', 'x']] }))).clientCertificate, undefined);
  });
});
