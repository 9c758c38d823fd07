import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AuthenticationRequest } from '../core/authentication.js';
import { KmsError } from '../core/errors.js';
import type { PrincipalRecord } from '../core/principal.js';
import { LocalSocketAuthenticator } from './local-socket-authenticator.js';

const realm = { partition: 'aws', region: 'us-east-1', account: '111122223333' } as const;
const plugin: PrincipalRecord = { id: 'AIDAK8S', type: 'user', name: 'k8s-plugin', arn: 'arn:aws:iam::111122223333:user/k8s-plugin', createdAt: new Date(0) };
const signer = { id: 'AIDAADMIN', type: 'user' as const, name: 'admin', arn: 'arn:aws:iam::111122223333:user/admin', account: realm.account, accessKeyId: 'AKIA' };
const request = (over: Partial<AuthenticationRequest>): AuthenticationRequest => ({ method: 'POST', path: '/', query: '', headers: [], body: Buffer.alloc(0), ...over });
const code = (c: string) => (e: unknown) => e instanceof KmsError && e.code === c;

function authenticator(principal = 'k8s-plugin') {
  return new LocalSocketAuthenticator({
    inner: { authenticate: () => Promise.resolve(signer) },
    sockets: new Map([['/run/kms.sock', principal]]),
    store: { findPrincipalByName: (name) => Promise.resolve(name === plugin.name ? plugin : undefined) },
    realm,
  });
}

describe('LocalSocketAuthenticator', () => {
  test('a request on a configured socket is its principal, by name or ARN, without an access key', async () => {
    const p = await authenticator().authenticate(request({ localSocket: '/run/kms.sock' }));
    assert.deepEqual([p.id, p.arn, p.accessKeyId], [plugin.id, plugin.arn, undefined]);
    assert.equal((await authenticator(plugin.arn).authenticate(request({ localSocket: '/run/kms.sock' }))).id, plugin.id);
  });

  test('refuses an unknown socket, a missing principal and an ARN of another principal type', async () => {
    await assert.rejects(authenticator().authenticate(request({ localSocket: '/tmp/other.sock' })), code('MissingAuthentication'));
    await assert.rejects(authenticator('ghost').authenticate(request({ localSocket: '/run/kms.sock' })), code('UnrecognizedClient'));
    await assert.rejects(authenticator('arn:aws:iam::111122223333:role/k8s-plugin').authenticate(request({ localSocket: '/run/kms.sock' })), code('UnrecognizedClient'));
  });

  test('a request from any other listener is left to the inner authenticator', async () => {
    assert.equal((await authenticator().authenticate(request({}))).arn, signer.arn);
  });
});
