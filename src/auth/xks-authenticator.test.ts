import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AuthenticationRequest } from '../core/authentication.js';
import { KmsError } from '../core/errors.js';
import type { PrincipalRecord } from '../core/principal.js';
import { SecretBytes } from '../crypto/secret-bytes.js';
import { NOW, REALM, signed } from '../../test/helpers/sigv4-fixtures.js';
import { XksAuthenticator } from './xks-authenticator.js';

const XKS_ID = 'BETWEEN2TENAND3TENCHARACTERS';
const XKS_SECRET = 'PleaseReplaceThisWithSomeSecretOfLength43To64';
const NEXT_ID = 'AKIAI2SFODNN7EXAMPLE234';
const NEXT_SECRET = 'FYtE5EFA5FT0mCc3DrGUe2sti527BitkQ0Zr9MO9fvE';
const xksUser: PrincipalRecord = { id: 'AIDAXKS', type: 'user', name: 'xks-proxy', arn: `arn:aws:iam::${REALM.account}:user/xks-proxy`, createdAt: new Date(0) };
const arcaUser = { id: 'AIDAADMIN', type: 'user' as const, name: 'admin', arn: `arn:aws:iam::${REALM.account}:user/admin`, account: REALM.account };
const code = (c: string) => (e: unknown) => e instanceof KmsError && e.code === c;

function authenticator(principal = 'xks-proxy') {
  return new XksAuthenticator({
    inner: { authenticate: () => Promise.resolve(arcaUser) },
    credentials: [
      { accessKeyId: XKS_ID, secretAccessKey: SecretBytes.copyOf(Buffer.from(XKS_SECRET)) },
      { accessKeyId: NEXT_ID, secretAccessKey: SecretBytes.copyOf(Buffer.from(NEXT_SECRET)) },
    ],
    principal,
    store: { findPrincipalByName: (name) => Promise.resolve(name === xksUser.name ? xksUser : undefined) },
    realm: REALM,
    clock: { now: () => NOW },
  });
}

async function xksRequest(accessKeyId = XKS_ID, secret = XKS_SECRET, service = 'kms-xks-proxy'): Promise<AuthenticationRequest> {
  return { ...(await signed({ accessKeyId, secret, service })), signingService: 'kms-xks-proxy' };
}

describe('XksAuthenticator', () => {
  test('a request signed for kms-xks-proxy with either XKS credential (rotation) is the configured principal', async () => {
    for (const [id, secret] of [[XKS_ID, XKS_SECRET], [NEXT_ID, NEXT_SECRET]] as const) {
      const p = await authenticator().authenticate(await xksRequest(id, secret));
      assert.deepEqual([p.id, p.arn, p.accessKeyId], [xksUser.id, xksUser.arn, id]);
    }
  });

  test('refuses an unknown access key id, a wrong secret, the kms scope, and a missing principal', async () => {
    await assert.rejects(authenticator().authenticate(await xksRequest(`Invalid${XKS_ID}`)), code('UnrecognizedClient'));
    await assert.rejects(authenticator().authenticate(await xksRequest(XKS_ID, `Invalid${XKS_SECRET}`)), code('InvalidSignature'));
    await assert.rejects(authenticator().authenticate(await xksRequest(XKS_ID, XKS_SECRET, 'kms')), code('InvalidSignature'));
    await assert.rejects(authenticator('ghost').authenticate(await xksRequest()), code('UnrecognizedClient'));
  });

  test('a request of any other transport is left to the inner authenticator', async () => {
    assert.equal((await authenticator().authenticate(await signed())).arn, arcaUser.arn);
  });
});
