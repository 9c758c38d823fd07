import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sessionSecretBinding } from '../core/bindings.js';
import { sessionTokenDigest, type SessionRecord } from '../core/session.js';
import { assertKmsError, MINUTE, NOW, PRINCIPAL, setup, signed, SIGNATURE_MISMATCH } from '../../test/helpers/sigv4-fixtures.js';

// Temporary credentials (issue 17): requests signed with an STS session's key and token, by the AWS SDK's
// own signer. The fake keyring's "wrapping" is the identity, so the wrapped secret is the secret's bytes.

const SESSION_KEY = 'ASIAARCATEST00000001';
const SESSION_SECRET = 'tEmPoRaRy/K7MDENG/bPxRfiCYSESSIONSECRET1';
const TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLE-session-token//+=';
const ROLE = { id: 'AROAROLE', type: 'role' as const, name: 'deployer', arn: 'arn:aws:iam::111122223333:role/deployer', createdAt: new Date('2024-01-01T00:00:00Z') };

function session(over: Partial<SessionRecord> = {}): SessionRecord {
  return {
    accessKeyId: SESSION_KEY,
    principalId: ROLE.id,
    kind: 'AssumedRole',
    sessionName: 'build-1',
    tokenHash: sessionTokenDigest(TOKEN),
    wrappedSecret: Buffer.from(SESSION_SECRET),
    domainKeyVersion: 1,
    issuedAt: new Date(NOW.getTime() - 10 * MINUTE),
    expiresAt: new Date(NOW.getTime() + 50 * MINUTE),
    tags: [{ key: 'team', value: 'payments' }],
    transitiveTagKeys: [],
    sourceArn: PRINCIPAL.arn,
    ...over,
  };
}

function withSession(over: Partial<SessionRecord> = {}) {
  const s = setup();
  s.store.principals.set(ROLE.id, ROLE);
  s.store.sessions.set(SESSION_KEY, session(over));
  return s;
}

const asSession = (extra: Parameters<typeof signed>[0] = {}) => signed({ accessKeyId: SESSION_KEY, secret: SESSION_SECRET, sessionToken: TOKEN, ...extra });

describe('SigV4 with STS session credentials', () => {
  it('an AssumedRole session authenticates as the assumed-role ARN with the role id, carrying the session', async () => {
    const { authenticator, keyring } = withSession();
    const p = await authenticator.authenticate(await asSession());
    assert.equal(p.id, ROLE.id);
    assert.equal(p.type, 'role');
    assert.equal(p.arn, 'arn:aws:sts::111122223333:assumed-role/deployer/build-1');
    assert.equal(p.accessKeyId, SESSION_KEY);
    assert.equal(p.session?.kind, 'AssumedRole');
    assert.equal(p.session?.issuerArn, ROLE.arn);
    assert.deepEqual(p.session?.tags, [{ key: 'team', value: 'payments' }]);
    // The secret was unwrapped under the session binding, not an access key's.
    assert.deepEqual(keyring.unwraps.at(-1)?.binding, sessionSecretBinding(SESSION_KEY));
  });

  it('a GetSessionToken session authenticates as its principal itself', async () => {
    const { authenticator } = withSession({ kind: 'SessionToken', sessionName: '', principalId: PRINCIPAL.id });
    const p = await authenticator.authenticate(await asSession());
    assert.equal(p.arn, PRINCIPAL.arn);
    assert.equal(p.session?.kind, 'SessionToken');
  });

  it('the token may come as the X-Amz-Security-Token query parameter', async () => {
    const { authenticator } = withSession();
    const req = await signed({ accessKeyId: SESSION_KEY, secret: SESSION_SECRET, query: { 'X-Amz-Security-Token': TOKEN } });
    assert.equal((await authenticator.authenticate(req)).arn, 'arn:aws:sts::111122223333:assumed-role/deployer/build-1');
  });

  it('a token that does not match, an unknown session and a revoked session are all the invalid-token answer', async () => {
    const { authenticator } = withSession();
    await assertKmsError(authenticator.authenticate(await asSession({ sessionToken: `${TOKEN}x` })), 'UnrecognizedClient', /security token included in the request is invalid/);
    await assertKmsError(authenticator.authenticate(await asSession({ accessKeyId: 'ASIAUNKNOWN000000000' })), 'UnrecognizedClient', /invalid/);
    const revoked = withSession({ revokedAt: new Date(NOW.getTime() - MINUTE) });
    await assertKmsError(revoked.authenticator.authenticate(await asSession()), 'UnrecognizedClient', /invalid/);
  });

  it('an expired session is ExpiredToken, from its expiry instant on', async () => {
    const { authenticator, clock } = withSession({ expiresAt: new Date(NOW.getTime() + MINUTE) });
    await authenticator.authenticate(await asSession());
    clock.at = new Date(NOW.getTime() + MINUTE);
    await assertKmsError(authenticator.authenticate(await asSession({ signingDate: clock.at })), 'ExpiredToken', /^The security token included in the request is expired$/);
  });

  it('a session key without its token is not an access key, and an access key with a token is not a session', async () => {
    const { authenticator } = withSession();
    await assertKmsError(authenticator.authenticate(await signed({ accessKeyId: SESSION_KEY, secret: SESSION_SECRET })), 'UnrecognizedClient', /invalid/);
    await assertKmsError(authenticator.authenticate(await signed({ sessionToken: TOKEN })), 'UnrecognizedClient', /invalid/);
  });

  it('the signature must be made with the session secret', async () => {
    const { authenticator } = withSession();
    await assertKmsError(authenticator.authenticate(await asSession({ secret: 'wrong/secret/wrong/secret/wrong/secret/xx' })), 'InvalidSignature', SIGNATURE_MISMATCH);
  });

  it('the scope must name the service the transport serves: kms by default, sts for the STS endpoint', async () => {
    const { authenticator } = withSession();
    const forSts = await asSession({ service: 'sts', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-amz-target': '' } });
    await assertKmsError(authenticator.authenticate(forSts), 'InvalidSignature', /scoped to correct service: 'kms'/);
    assert.equal((await authenticator.authenticate({ ...forSts, signingService: 'sts' })).id, ROLE.id);
    await assertKmsError(authenticator.authenticate({ ...(await asSession()), signingService: 'sts' }), 'InvalidSignature', /scoped to correct service: 'sts'/);
  });
});
